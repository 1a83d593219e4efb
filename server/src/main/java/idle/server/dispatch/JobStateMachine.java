package idle.server.dispatch;

import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.peer.Peer;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobState;
import idle.shared.model.Limit;
import idle.shared.model.PoolStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

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
    private final int maxAttempts;
    private final Scheduler scheduler = new Scheduler();
    private final PoolModules poolModules = new PoolModules();
    private final Map<Long, ActiveJob> active = new HashMap<>();
    private final Map<Peer, LenderHandle> lenders = new HashMap<>();
    private int running;
    /** Set when the server shuts down: nothing is dispatched any more, and lenders that leave
     *  keep their jobs RUNNING in the database (the next start re-queues them). */
    private boolean stopping;

    /** @param maxAttempts how many times a job is handed to a lender before it is LOST */
    JobStateMachine(StoreWriter writer, AuditLog audit, Launcher launcher, int maxAttempts) {
        this.writer = writer;
        this.audit = audit;
        this.launcher = launcher;
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

    /** The queue and the lender registry. Use under the lock. */
    Scheduler schedulerLocked() {
        return scheduler;
    }

    /** The active job with a stored row {@code id}, or null. */
    ActiveJob activeLocked(long id) {
        return active.get(id);
    }

    /** Makes a stored job (it has its id) known as active. */
    void activateLocked(ActiveJob job) {
        active.put(job.id, job);
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

    /** Registers {@code h} for its peer (replacing a withdrawn handle) and dispatches to it. */
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
            assignLocked(job, l);
            int ex = job.exchangeId;
            int attempt = job.attempts;
            // a start that cannot be recorded is not attempted, and the slot is freed
            writer.submit(new ProgressWrite(audit, job, null,
                    () -> launchCommitted(job, l, ex, attempt),
                    e -> new Attempt(job, l, attempt, ex).fail(Reasons.notRecorded(e))));
        });
    }

    /** Writes the job's current fields, with no audit row and nothing after. */
    void writeLocked(ActiveJob job) {
        writer.submit(new ProgressWrite(audit, job, null, null));
    }

    /** Back to the front of its owner's queue with {@code reason}, attempts unchanged. */
    void requeueLocked(ActiveJob job, String reason) {
        job.state = JobState.QUEUED;
        job.reason = reason;
        scheduler.enqueue(job, true);
        writeLocked(job);
    }

    /**
     * A job's attempt ended without a result ({@code why}): it is re-queued (front of its
     * owner's queue), or LOST when no attempts are left, or CANCELLED when its owner asked.
     * Its slot is released; a job that already ended stays as it is.
     */
    void lenderLostLocked(ActiveJob job, String why) {
        unassignLocked(job);
        if (job.state.isTerminal()) {
            return; // ended without its lender (cancelOverdue): nothing to re-run
        }
        if (job.cancelRequested) {
            endLocked(job, Ending.cancelled(Reasons.CANCELLED), null, null);
        } else if (job.attempts >= maxAttempts) {
            endLocked(job, Ending.lost(Reasons.gaveUp(why, job.attempts)), null, null);
        } else {
            requeueLocked(job, Reasons.requeued(why, job.attempts, maxAttempts));
        }
    }

    /**
     * Ends a job as {@code e} says and queues the write; once it committed the job is no longer
     * active and {@code after} runs. {@code audited} and {@code after} may be null. The caller
     * releases the lender's slot (or keeps it while the lender may still run the process).
     */
    void endLocked(ActiveJob job, Ending e, ProgressWrite.Audited audited, Runnable after) {
        job.state = e.state();
        job.exitCode = e.exitCode();
        job.limit = e.limit();
        job.reason = e.reason();
        job.finishedAt = System.currentTimeMillis();
        writer.submit(new ProgressWrite(audit, job, audited, () -> {
            locked(() -> {
                active.remove(job.id);
            });
            if (after != null) {
                after.run();
            }
        }));
    }

    /** Whether {@code attempt} of {@code job} on {@code lender} is still running. */
    private static boolean isCurrentLocked(ActiveJob job, LenderHandle lender, int attempt) {
        return job.lender == lender && job.attempts == attempt && job.state == JobState.RUNNING;
    }

    /** The RUNNING write of an attempt committed: send its EXF if it is still current. */
    void launchCommitted(ActiveJob job, LenderHandle lender, int exchangeId, int attempt) {
        boolean go = lockedGet(() -> {
            if (!isCurrentLocked(job, lender, attempt)) {
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
                    new Attempt(job, lender, attempt, exchangeId));
        }
    }

    /** One attempt, as its lender's side sees the job: see {@link AttemptListener}. */
    private final class Attempt implements AttemptListener {
        private final ActiveJob job;
        private final LenderHandle lender;
        private final int attempt;
        private final int exchangeId;

        Attempt(ActiveJob job, LenderHandle lender, int attempt, int exchangeId) {
            this.job = job;
            this.lender = lender;
            this.attempt = attempt;
            this.exchangeId = exchangeId;
        }

        /** This attempt still holds its lender's slot (it may have ended without the lender). */
        private boolean holdsSlotLocked() {
            return job.lender == lender && job.attempts == attempt;
        }

        @Override
        public boolean isCurrent() {
            return lockedGet(() -> isCurrentLocked(job, lender, attempt));
        }

        @Override
        public void requeue(String why) {
            locked(() -> {
                if (holdsSlotLocked()) {
                    lenderLostLocked(job, why);
                    dispatchLocked();
                }
            });
        }

        @Override
        public void lenderGone() {
            locked(() -> {
                lender.gone = true;
                scheduler.removeLender(lender);
                if (holdsSlotLocked()) {
                    lenderLostLocked(job, Reasons.LENDER_DISCONNECTED);
                }
                dispatchLocked();
            });
        }

        @Override
        public void fail(String reason) {
            locked(() -> {
                if (!holdsSlotLocked()) {
                    return;
                }
                unassignLocked(job);
                if (!job.state.isTerminal()) {
                    endLocked(job, job.cancelRequested ? Ending.cancelled(Reasons.CANCELLED)
                            : Ending.failed(reason), null, null);
                }
                dispatchLocked();
            });
        }

        @Override
        public void overLimit(Limit limit, String detail) {
            boolean stop = lockedGet(() -> {
                if (!holdsSlotLocked() || job.serverLimit != null) {
                    return false;
                }
                job.serverLimit = limit;
                job.serverLimitDetail = detail;
                return true;
            });
            if (stop) {
                lender.peer.send(lender.peer.nextServerId(), new Message.Cancel(job.id));
            }
        }

        @Override
        public void finished(AttemptResult r) {
            Runnable ack = () -> lender.peer.send(exchangeId,
                    new Message.Success(new Result.Empty()));
            boolean ended = lockedGet(() -> {
                if (!isCurrentLocked(job, lender, attempt)) {
                    if (holdsSlotLocked() && job.state.isTerminal()) {
                        // the late FIN of an attempt that ended without its lender
                        unassignLocked(job);
                        dispatchLocked();
                    }
                    return false;
                }
                unassignLocked(job);
                lender.jobsDone++;
                job.outputBytes = r.outputBytes();
                job.outputSha256 = r.outputSha256();
                job.files.clear();
                job.files.addAll(r.files());
                job.cpuMillis = r.use().cpuMillis();
                Ending e = job.serverLimit != null
                        ? Ending.overLimit(job.serverLimit, job.serverLimitDetail)
                        : Ending.of(r.outcome());
                String detail = e.state() + (e.exitCode() != null ? " exit " + e.exitCode() : "")
                        + ", " + Sizes.of(job.outputBytes) + " output, " + r.use().wallMillis()
                        + " ms";
                endLocked(job, e, new ProgressWrite.Audited(AuditAction.FIN, lender.user,
                        exchangeId, detail, lender.peer.remoteAddress()), ack);
                dispatchLocked();
                return true;
            });
            if (!ended) {
                ack.run();
            }
        }
    }
}
