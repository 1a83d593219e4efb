package idle.server.dispatch;

import idle.server.VerifyPolicy;
import idle.server.audit.AuditLog;
import idle.server.peer.Peer;
import idle.server.store.StoreWriter;
import idle.shared.model.JobState;
import idle.shared.model.PoolStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The jobs the server works on (queued or running) and the lenders online, in memory, and every
 * change of a job's state: assign to a lender, release the lender's slot, re-queue, end. The
 * other parts of the job service ({@link Submissions}, {@link LenderEvents}, {@link Cancels},
 * {@link JobQueries}) read and change this state only through it, under its lock.
 *
 * <p>Concurrency: one lock guards all of it; nothing under it blocks (no I/O; sends only queue
 * frames). Methods named {@code ...Locked} must be called with the lock held ({@link #locked});
 * the others take it themselves. Each change is handed to the {@link StoreWriter} while the lock
 * is held, so the database sees changes in the order they were made; what a change causes on
 * the network (SCF to the runner, EXF to a lender, JST events) happens in the write's
 * {@code committed} callback, i.e. only once it is durable.
 */
final class JobStateMachine {
    private final ReentrantLock lock = new ReentrantLock();
    private final StoreWriter writer;
    private final AuditLog audit;
    private final Launcher launcher;
    private final Scripts scripts;
    private final Deadlines deadlines;
    private final Duration grace;
    private final int maxAttempts;
    private final Scheduler scheduler;
    private final Votes votes;
    private final PoolModules poolModules = new PoolModules();
    private final Map<Long, ActiveJob> active = new HashMap<>();
    /** Per owner: jobs not ended, counting those still being stored ({@link #reserveLocked}). */
    private final Map<String, Integer> open = new HashMap<>();
    private final Map<Peer, LenderHandle> lenders = new HashMap<>();
    private int running;
    /** Set when the server shuts down: nothing is dispatched any more, and lenders that leave
     *  keep their jobs RUNNING in the database (the next start re-queues them). */
    private boolean stopping;

    /**
     * @param scripts the queued jobs' scripts; an ended job's is forgotten
     * @param grace how long a lender may take to stop a job over the server's limit; then the
     *     job ends without it
     * @param maxAttempts how many times a job is handed to a lender before it is LOST
     * @param trust lender standings (who may run what) and where lender shares are written
     * @param verify how jobs are verified by default ({@link Votes})
     * @param spool where jobs' output is (a vote serves its winning replica's)
     * @param ownerWeight an owner's fair-share weight ({@link Scheduler}; lend-to-earn)
     */
    JobStateMachine(StoreWriter writer, AuditLog audit, Launcher launcher, Scripts scripts,
            Deadlines deadlines, Duration grace, int maxAttempts, LenderTrust trust,
            VerifyPolicy verify, SpoolDirs spool, ToDoubleFunction<String> ownerWeight) {
        this.votes = new Votes(this, writer, audit, trust, verify, spool);
        this.scheduler = new Scheduler(votes::admitsLocked, ownerWeight);
        this.writer = writer;
        this.audit = audit;
        this.launcher = launcher;
        this.scripts = scripts;
        this.deadlines = deadlines;
        this.grace = grace;
        this.maxAttempts = maxAttempts;
    }

    // ---- the lock ---------------------------------------------------------------------------

    void locked(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    <T> T lockedGet(Supplier<T> s) {
        lock.lock();
        try {
            return s.get();
        } finally {
            lock.unlock();
        }
    }

    // ---- what is in memory ------------------------------------------------------------------

    /** The votes of verified jobs. Use under the lock. */
    Votes votesLocked() {
        return votes;
    }

    /** The queue and the lender registry. Use under the lock. */
    Scheduler schedulerLocked() {
        return scheduler;
    }

    /** The active job with a stored row {@code id}, or null. */
    ActiveJob activeLocked(long id) {
        return active.get(id);
    }

    /** Makes a stored job (it has its id) known as active; its owner's place is reserved. */
    void activateLocked(ActiveJob job) {
        active.put(job.id, job);
    }

    /** A job a previous run left queued: active, counted for its owner, and queued. */
    void recoveredLocked(ActiveJob job) {
        active.put(job.id, job);
        open.merge(job.owner, 1, Integer::sum);
        scheduler.enqueue(job, false);
    }

    /**
     * A job a previous run left open that is not queued itself (a verified job whose vote was
     * open): active, and counted for its owner unless it is a replica.
     */
    void recoveredUnqueuedLocked(ActiveJob job) {
        active.put(job.id, job);
        if (job.verifyOf == 0) {
            open.merge(job.owner, 1, Integer::sum);
        }
    }

    /**
     * Takes one of {@code owner}'s places for a job that has not ended, unless it has
     * {@code max} already. A place is given back when the job's end committed, or by
     * {@link #releaseLocked} when it is not stored after all.
     *
     * @return 0 when reserved, else the jobs {@code owner} has that have not ended
     */
    int reserveLocked(String owner, int max) {
        int have = open.getOrDefault(owner, 0);
        if (have >= max) {
            return have;
        }
        open.put(owner, have + 1);
        return 0;
    }

    /** Gives back a place taken by {@link #reserveLocked}. */
    void releaseLocked(String owner) {
        open.computeIfPresent(owner, (k, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * Takes {@code n} of {@code owner}'s places at once (a sweep's tasks), unless that would
     * make more than {@code max}; all or none. See {@link #placesLocked} for what it has.
     *
     * @return true when reserved
     */
    boolean tryReserveLocked(String owner, int max, int n) {
        int have = open.getOrDefault(owner, 0);
        if ((long) have + n > max) {
            return false;
        }
        if (n > 0) {
            open.put(owner, have + n);
        }
        return true;
    }

    /** Gives back {@code n} places taken by {@link #tryReserveLocked}. */
    void releaseLocked(String owner, int n) {
        if (n > 0) {
            open.computeIfPresent(owner, (k, have) -> have > n ? have - n : null);
        }
    }

    /** The places {@code owner} holds now (jobs not ended, reservations included). */
    int placesLocked(String owner) {
        return open.getOrDefault(owner, 0);
    }

    /** The active tasks of {@code sweep}, in no order. */
    List<ActiveJob> activeOfSweepLocked(SweepRun sweep) {
        List<ActiveJob> out = new ArrayList<>();
        for (ActiveJob j : active.values()) {
            if (j.sweep == sweep) {
                out.add(j);
            }
        }
        return out;
    }

    boolean isActive(long jobId) {
        return lockedGet(() -> active.containsKey(jobId));
    }

    int activeCount() {
        return lockedGet(active::size);
    }

    LenderHandle lenderLocked(Peer peer) {
        return lenders.get(peer);
    }

    /** Lender connections {@code user} has (withdrawn ones too: they may offer again). */
    int lenderConnectionsLocked(String user) {
        int n = 0;
        for (LenderHandle h : lenders.values()) {
            if (h.user.equals(user)) {
                n++;
            }
        }
        return n;
    }

    /** Registers {@code h} for its peer and dispatches to it. */
    void addLenderLocked(LenderHandle h) {
        lenders.put(h.peer, h);
        scheduler.addLender(h);
        dispatchLocked();
    }

    /** Forgets the lender of {@code peer}; returns its handle, or null when it was none. */
    LenderHandle removeLenderLocked(Peer peer) {
        LenderHandle h = lenders.remove(peer);
        if (h != null) {
            h.gone = true;
            scheduler.removeLender(h);
        }
        return h;
    }

    boolean stoppingLocked() {
        return stopping;
    }

    /** No more dispatch from now on; running jobs stay as they are. */
    void stop() {
        locked(() -> {
            stopping = true;
        });
    }

    /**
     * GPT: lenders online, free slots, jobs queued and running, and the modules the online
     * lenders offer (aggregated outside the lock, see {@link PoolModules}).
     */
    PoolStatus pool() {
        record Counts(List<LenderHandle> online, int free, int queued, int running) {
        }
        Counts c = lockedGet(() -> new Counts(scheduler.online(), scheduler.freeSlots(),
                scheduler.queued(), running));
        return new PoolStatus(c.online().size(), c.free(), c.queued(), c.running(),
                poolModules.of(c.online()));
    }

    /** A copy of every online lender's state, for the admin view. */
    List<LenderHandle.Snapshot> lenderSnapshots() {
        return lockedGet(() -> {
            List<LenderHandle.Snapshot> out = new ArrayList<>();
            for (LenderHandle l : scheduler.lenders()) {
                out.add(l.snapshot());
            }
            return out;
        });
    }

    // ---- transitions ------------------------------------------------------------------------

    /**
     * {@code l} gets no jobs for {@link LenderHandle#BENCH}, or until it offers itself again
     * (which lifts the bench at once).
     */
    void benchLocked(LenderHandle l) {
        l.benched = true;
        int which = ++l.benches;
        scheduler.refresh(l);
        deadlines.after(LenderHandle.BENCH, () -> locked(() -> {
            if (l.benched && l.benches == which) {
                l.benched = false;
                l.refusalsInARow = 0;
                scheduler.refresh(l);
                dispatchLocked();
            }
        }));
    }

    /** Marks {@code job} as running on {@code lender} and takes one of its slots. */
    void assignLocked(ActiveJob job, LenderHandle lender) {
        job.state = JobState.RUNNING;
        job.attempts++;
        job.lender = lender;
        job.lenderPseudonym = lender.pseudonym;
        job.startedAt = System.currentTimeMillis();
        job.finishedAt = 0;
        job.exitCode = null;
        job.limit = null;
        job.reason = "";
        job.serverLimit = null;
        job.serverLimitDetail = null;
        job.files.clear();
        job.outputBytes = 0;
        job.outputSha256 = "";
        job.exchangeId = lender.peer.nextServerId();
        job.environment = Math.max(0, lender.environmentFor(job.needs));
        lender.running.put(job, job.exchangeId);
        running++;
        scheduler.refresh(lender);
    }

    /** Releases a job's lender slot, if it holds one. */
    void unassignLocked(ActiveJob job) {
        LenderHandle l = job.lender;
        if (l != null) {
            if (l.running.remove(job) != null) {
                running--;
            }
            scheduler.refresh(l);
        }
        job.lender = null;
    }

    /**
     * Assigns queued jobs to free lenders and queues their RUNNING writes; each EXF goes out
     * from its write's commit callback ({@link #launchCommitted}).
     */
    void dispatchLocked() {
        if (stopping) {
            return;
        }
        scheduler.plan(a -> {
            ActiveJob job = a.job();
            LenderHandle l = a.lender();
            if (votes.divertLocked(job, l)) {
                return; // it runs as a vote: its replicas queue once stored
            }
            assignLocked(job, l);
            replicaChangedLocked(job);
            int ex = job.exchangeId;
            int attempt = job.attempts;
            // a start that cannot be recorded is not attempted, and the slot is freed
            writer.submit(new ProgressWrite(audit, job, null,
                    () -> launchCommitted(job, l, ex, attempt),
                    e -> new Attempt(this, audit, deadlines, grace, job, l, attempt, ex)
                            .fail(Reasons.notRecorded(e))));
        });
    }

    /** Writes the job's current fields, with no audit row and nothing after. */
    void writeLocked(ActiveJob job) {
        writer.submit(new ProgressWrite(audit, job, null, null));
    }

    /** Back to the front of its owner's queue with {@code reason}, attempts unchanged. */
    void requeueLocked(ActiveJob job, String reason) {
        requeueLocked(job, reason, null);
    }

    /** As above, {@code effects} (may be null) written with the change. */
    private void requeueLocked(ActiveJob job, String reason, ProgressWrite.Effects effects) {
        job.state = JobState.QUEUED;
        job.reason = reason;
        scheduler.enqueue(job, true);
        writer.submit(new ProgressWrite(audit, job, null, null).with(effects));
        replicaChangedLocked(job);
    }

    /** Tells a replica's vote of its change of state (nothing for a job that is no replica). */
    private void replicaChangedLocked(ActiveJob job) {
        if (job.verifyOf != 0) {
            votes.replicaChangedLocked(job);
        }
    }

    /**
     * A job's attempt ended without a result ({@code why}): it is re-queued (front of its
     * owner's queue), or LOST when no attempts are left, or CANCELLED when its owner asked.
     * Its slot is released; a job that already ended stays as it is.
     */
    void lenderLostLocked(ActiveJob job, String why) {
        LenderHandle lost = job.lender;
        unassignLocked(job);
        if (job.state.isTerminal()) {
            return; // ended without its lender (cancelOverdue): nothing to re-run
        }
        // the lender's share: a lost attempt (written with the change, so counted once)
        ProgressWrite.Effects share = lost == null ? null
                : shares(List.of(new LenderTrust.Share(lost.user, LenderTrust.Verdict.LOST, 0)));
        if (job.cancelRequested) {
            endLocked(job, Ending.cancelled(Reasons.CANCELLED), null, null);
        } else if (job.attempts >= maxAttempts) {
            endLocked(job, Ending.lost(Reasons.gaveUp(why, job.attempts)), null, null, share);
        } else {
            requeueLocked(job, Reasons.requeued(why, job.attempts, maxAttempts), share);
        }
    }

    /** Writes {@code shares} with a change and tells the trust once it committed. */
    ProgressWrite.Effects shares(List<LenderTrust.Share> shares) {
        LenderTrust trust = votes.trust();
        return new ProgressWrite.Effects() {
            @Override
            public void apply(idle.db.Transaction tx) {
                trust.record(tx, shares);
            }

            @Override
            public void committed() {
                trust.recorded(shares);
            }
        };
    }

    /**
     * Ends a job as {@code e} says and queues the write; once it committed the job is no longer
     * active and {@code after} runs. {@code audited} and {@code after} may be null. The caller
     * releases the lender's slot (or keeps it while the lender may still run the process).
     */
    void endLocked(ActiveJob job, Ending e, ProgressWrite.Audited audited, Runnable after) {
        endLocked(job, e, audited, after, null);
    }

    /**
     * As above, {@code effects} (may be null) written in the same transaction (lender shares).
     * A replica's end is counted in its vote ({@link Votes#replicaChangedLocked}) right after its
     * write was queued, so the verified job's end is written after it.
     */
    void endLocked(ActiveJob job, Ending e, ProgressWrite.Audited audited, Runnable after,
            ProgressWrite.Effects effects) {
        job.state = e.state();
        job.exitCode = e.exitCode();
        job.limit = e.limit();
        job.reason = e.reason();
        job.finishedAt = System.currentTimeMillis();
        scripts.forget(job.id);
        writer.submit(new ProgressWrite(audit, job, audited, () -> {
            locked(() -> {
                // a replica holds no place of its owner: its verified job does
                if (active.remove(job.id) != null && job.verifyOf == 0) {
                    releaseLocked(job.owner);
                }
            });
            if (after != null) {
                after.run();
            }
        }).with(effects));
        replicaChangedLocked(job);
    }

    /**
     * Whether {@code attempt} of {@code job} on {@code lender}, exchange {@code exchangeId}
     * there, is still running. The exchange id tells two attempts apart even when they have the
     * same number (a refused attempt does not count, so the next one has its number again).
     */
    static boolean isCurrentLocked(ActiveJob job, LenderHandle lender, int attempt,
            int exchangeId) {
        return job.lender == lender && job.attempts == attempt && job.exchangeId == exchangeId
                && job.state == JobState.RUNNING;
    }

    /** The RUNNING write of an attempt committed: send its EXF if it is still current. */
    void launchCommitted(ActiveJob job, LenderHandle lender, int exchangeId, int attempt) {
        boolean go = lockedGet(() -> {
            if (!isCurrentLocked(job, lender, attempt, exchangeId)) {
                return false;
            }
            if (job.cancelRequested) {
                // cancelled between the dispatch decision and its commit: never start it
                unassignLocked(job);
                endLocked(job, Ending.cancelled(Reasons.CANCELLED), null, null);
                dispatchLocked();
                return false;
            }
            return true;
        });
        if (go) {
            launcher.launch(job, lender.peer, exchangeId, attempt,
                    new Attempt(this, audit, deadlines, grace, job, lender, attempt, exchangeId));
        }
    }
}
