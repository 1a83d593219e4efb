package idle.server.dispatch;

import idle.db.Transaction;
import idle.db.entity.Job;
import idle.db.entity.Sweep;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.peer.Peer;
import idle.server.relay.JobFeed;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobState;
import idle.shared.model.SweepSummary;
import idle.shared.model.SweepTask;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sweeps coming in and going: SWP (a sweep opened: checked by {@link SweepRules}, all its places
 * taken at once under the state machine's lock, its row with the script written once), SWT (a
 * batch of tasks: checked, indexes claimed, own inputs written, their rows inserted in one store
 * write, then queued as their owner's jobs in the fair share), the sweep closed (last batch, its
 * connection gone, cancelled: places for tasks never sent given back), SWC, and the end (every
 * task ended: counts written, script forgotten). The sweeps the server works on are kept in
 * memory ({@link SweepRun}); queries about them are {@link SweepQueries}, retries
 * {@link SweepRetries}.
 *
 * <p>Threads: requests on the runner connection's reader thread; commit callbacks on the store
 * writer's. The map of active sweeps is guarded by the {@link JobStateMachine}'s lock.
 */
final class Sweeps {
    private static final Logger LOG = Logger.getLogger(Sweeps.class.getName());
    static final AuditAction SWP = AuditAction.of(Code.SWP);
    static final AuditAction SWT = AuditAction.of(Code.SWT);
    static final AuditAction SWC = AuditAction.of(Code.SWC);

    private final JobStateMachine jobs;
    private final SweepRules rules;
    private final InputStore inputs;
    private final Scripts scripts;
    private final StoreWriter writer;
    private final AuditLog audit;
    private final Cancels cancels;
    private final int maxQueuedPerUser;
    /** Whether a user owns a sweep that is not active (its row, read without the script). */
    private final java.util.function.BiPredicate<String, Long> owns;
    /** Sweeps open or with tasks not ended, by id; under the state machine's lock. */
    private final Map<Long, SweepRun> active = new HashMap<>();

    Sweeps(JobStateMachine jobs, SweepRules rules, InputStore inputs, Scripts scripts,
            StoreWriter writer, AuditLog audit, Cancels cancels, int maxQueuedPerUser,
            java.util.function.BiPredicate<String, Long> owns) {
        this.owns = owns;
        this.jobs = jobs;
        this.rules = rules;
        this.inputs = inputs;
        this.scripts = scripts;
        this.writer = writer;
        this.audit = audit;
        this.cancels = cancels;
        this.maxQueuedPerUser = maxQueuedPerUser;
    }

    /** The active sweep {@code id}, or null. */
    SweepRun activeSweep(long id) {
        return jobs.lockedGet(() -> active.get(id));
    }

    /** Makes {@code run} known as active (a retry that was just stored, a recovered sweep). */
    void addActive(SweepRun run) {
        jobs.locked(() -> active.put(run.id, run));
    }

    /** Whether an active sweep reads the inputs stored under sweep {@code inputsOf}. */
    boolean inputsInUse(long inputsOf) {
        return jobs.lockedGet(() -> {
            for (SweepRun r : active.values()) {
                if (r.inputsOf == inputsOf) {
                    return true;
                }
            }
            return false;
        });
    }

    int maxQueuedPerUser() {
        return maxQueuedPerUser;
    }

    // ---- SWP ------------------------------------------------------------------------------

    /** Why the door refused a sweep before anything was stored. */
    record Door(boolean noLenders, String why) {
    }

    /** SWP#n: checks, takes every place, stores the sweep; SCF{Sweep} and its follow. */
    void open(Peer runner, int n, Message.SweepOpen m) {
        String user = runner.user();
        String remote = runner.remoteAddress();
        Submission.Refusal bad = rules.checkOpen(m);
        if (bad != null) {
            refuse(runner, n, SWP, bad.kind(), bad.reason());
            return;
        }
        Door door = door(user, m.needs(), m.waitPolicy(), m.taskCount());
        if (door != null) {
            if (door.noLenders()) {
                runner.send(n, new Message.NoLenders(door.why()));
                audit.record(user, SWP, n, null, Code.NLA, door.why(), remote);
            } else {
                refuse(runner, n, SWP, FailureKind.LIMIT, door.why());
            }
            return;
        }
        InputStore.Staged staged;
        try {
            staged = inputs.stage(m.inputs());
        } catch (IOException e) {
            jobs.locked(() -> jobs.releaseLocked(user, m.taskCount()));
            LOG.log(Level.SEVERE, "cannot write the shared inputs of a sweep of " + user, e);
            refuse(runner, n, SWP, FailureKind.INTERNAL,
                    "the server could not store the input files: " + e.getMessage());
            return;
        }
        List<String> shared = new ArrayList<>();
        for (InputFile f : m.inputs()) {
            shared.add(f.name());
        }
        long base = SweepRules.baseExecuteBytes(m);
        long sharedBytes = SweepRules.bytesOf(m.inputs());
        long now = System.currentTimeMillis();
        writer.submit(new StoreWriter.Op() {
            private long id;

            @Override
            public void apply(Transaction tx) {
                id = tx.sweeps().add(new Sweep(user, m.scriptName(), m.scriptSha256(), m.script(),
                        shared, m.needs(), m.taskCount(), now));
                audit.recordIn(tx, user, SWP, n, null, Code.SCF, "sweep " + id + ": "
                        + m.scriptName() + ", " + m.taskCount() + " tasks, " + shared.size()
                        + " shared inputs", remote);
            }

            @Override
            public void committed() {
                SweepRun run = new SweepRun(id, user, m.scriptName(), m.scriptSha256(), m.needs(),
                        m.taskCount(), id, shared, now, 0, base, true, Sweeps.this::finish);
                run.sharedInputBytes = sharedBytes;
                try {
                    inputs.adoptShared(staged, id);
                } catch (IOException e) {
                    LOG.log(Level.SEVERE, "cannot move the shared inputs of sweep " + id, e);
                    jobs.locked(() -> jobs.releaseLocked(user, m.taskCount()));
                    run.close();
                    runner.send(n, new Message.Failure(FailureKind.INTERNAL,
                            Reasons.inputsNotStored(e.getMessage())));
                    return;
                }
                scripts.rememberSweep(id, m.script());
                jobs.locked(() -> {
                    run.unsentPlaces = m.taskCount();
                    run.opener = runner;
                    active.put(id, run);
                });
                runner.send(n, new Message.Success(new Result.Sweep(run.summary())));
                new SweepWatch(runner, n, run, true).start(List.of());
                if (!runner.isConnected()) {
                    peerGone(runner); // it went before the sweep was known as its
                }
            }

            @Override
            public void failed(RuntimeException e) {
                LOG.log(Level.SEVERE, "could not store a sweep of " + user, e);
                inputs.discard(staged);
                jobs.locked(() -> jobs.releaseLocked(user, m.taskCount()));
                runner.send(n, new Message.Failure(FailureKind.INTERNAL,
                        "the sweep could not be stored: " + e.getMessage()));
            }
        });
    }

    /**
     * Under the lock: NLA when nobody could run it (or, not waiting, nobody free now); FLD
     * when {@code count} more places would pass the owner's limit; else the places are taken.
     */
    Door door(String user, idle.shared.model.JobNeeds needs, WaitPolicy policy, int count) {
        return jobs.lockedGet(() -> {
            Scheduler s = jobs.schedulerLocked();
            String nobody = s.whyNobodyCan(needs);
            if (nobody != null) {
                return new Door(true, nobody);
            }
            if (policy == WaitPolicy.NLA_IF_BUSY && s.freeLenderFor(needs) == null) {
                return new Door(true, "all " + s.lenderCount() + " online lenders that could run"
                        + " it are busy (" + s.queued() + " jobs queued)");
            }
            if (!jobs.tryReserveLocked(user, maxQueuedPerUser, count)) {
                return new Door(false, "you have " + jobs.placesLocked(user) + " jobs queued or "
                        + "running; " + count + " more would pass the limit of "
                        + maxQueuedPerUser);
            }
            return null;
        });
    }

    // ---- SWT ------------------------------------------------------------------------------

    /** SWT#n: a batch of an open sweep's tasks; SCF{Empty} once stored and queued. */
    void tasks(Peer runner, int n, Message.SweepTasks m) {
        String user = runner.user();
        SweepRun run = activeSweep(m.sweepId());
        if (run == null || !run.owner.equals(user)) {
            boolean mine = run == null && owns.test(user, m.sweepId());
            refuse(runner, n, SWT, mine ? FailureKind.WRONG_STATE : FailureKind.NOT_FOUND, mine
                    ? "sweep " + m.sweepId() + " takes no more tasks" : "you have no sweep "
                    + m.sweepId());
            return;
        }
        List<SweepTask> batch = m.tasks();
        int[] idx = new int[batch.size()];
        for (int i = 0; i < idx.length; i++) {
            SweepTask t = batch.get(i);
            idx[i] = t.index();
            String why = rules.checkTask(run, run.sharedInputBytes, t);
            if (why != null) {
                refuse(runner, n, SWT, SweepRules.kindOf(why), why);
                return;
            }
        }
        String claim = run.claim(idx);
        if (claim != null) {
            refuse(runner, n, SWT, run.isOpen() ? FailureKind.INVALID : FailureKind.WRONG_STATE,
                    claim);
            return;
        }
        jobs.locked(() -> run.unsentPlaces -= idx.length);
        List<Integer> written = new ArrayList<>();
        try {
            for (SweepTask t : batch) {
                if (!t.inputs().isEmpty()) {
                    written.add(t.index());
                    inputs.writeTask(run.inputsOf, t.index(), t.inputs());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "cannot write the inputs of sweep " + run.id, e);
            batchFailed(run, idx, written);
            refuse(runner, n, SWT, FailureKind.INTERNAL,
                    "the server could not store the input files: " + e.getMessage());
            return;
        }
        long now = System.currentTimeMillis();
        List<ActiveJob> tasks = new ArrayList<>(batch.size());
        for (SweepTask t : batch) {
            List<String> names = new ArrayList<>(run.sharedInputs);
            for (InputFile f : t.inputs()) {
                names.add(f.name());
            }
            ActiveJob a = new ActiveJob(user, run.scriptName, run.scriptSha256, t.args(), names,
                    run.needs, now);
            a.sweep = run;
            a.sweepId = run.id;
            a.taskIndex = t.index();
            a.reason = Reasons.WAITING;
            tasks.add(a);
        }
        writer.submit(new TaskInsert(runner, n, run, tasks, idx, written, run.claimed(),
                m.last()));
    }

    /** A batch was not stored: its indexes and places go back, its files are deleted. */
    private void batchFailed(SweepRun run, int[] idx, List<Integer> written) {
        for (int i : written) {
            inputs.discardTask(run.inputsOf, i);
        }
        jobs.locked(() -> {
            if (run.isOpen()) {
                run.unsentPlaces += idx.length;
            } else {
                jobs.releaseLocked(run.owner, idx.length);
            }
        });
        run.unclaim(idx);
    }

    /** The rows of one batch of tasks; after commit they are active and queued. */
    private final class TaskInsert implements StoreWriter.Op {
        private final Peer runner;
        private final int n;
        private final SweepRun run;
        private final List<ActiveJob> tasks;
        private final int[] idx;
        private final List<Integer> written;
        private final int claimed;
        private final boolean last;
        private final long[] ids;

        TaskInsert(Peer runner, int n, SweepRun run, List<ActiveJob> tasks, int[] idx,
                List<Integer> written, int claimed, boolean last) {
            this.runner = runner;
            this.n = n;
            this.run = run;
            this.tasks = tasks;
            this.idx = idx;
            this.written = written;
            this.claimed = claimed;
            this.last = last;
            this.ids = new long[tasks.size()];
        }

        @Override
        public void apply(Transaction tx) {
            for (int i = 0; i < ids.length; i++) {
                ids[i] = tx.jobs().insert(rowOf(tasks.get(i)));
            }
            tx.sweeps().setTasks(run.id, claimed, !last);
            audit.recordIn(tx, run.owner, SWT, n, null, Code.SCF, "sweep " + run.id + ": "
                    + ids.length + " tasks" + (last ? ", the last" : ""), runner.remoteAddress());
        }

        @Override
        public void committed() {
            activate(run, tasks, ids);
            if (last) {
                close(run);
            }
            runner.send(n, new Message.Success(new Result.Empty()));
        }

        @Override
        public void failed(RuntimeException e) {
            LOG.log(Level.SEVERE, "could not store tasks of sweep " + run.id, e);
            batchFailed(run, idx, written);
            runner.send(n, new Message.Failure(FailureKind.INTERNAL,
                    "the tasks could not be stored: " + e.getMessage()));
        }
    }

    /** The row of a new task (no script: its sweep has it). */
    static Job rowOf(ActiveJob a) {
        Job j = new Job(a.owner, a.scriptName, a.scriptSha256, new byte[0], a.args, a.inputNames,
                a.needs, a.submittedAt);
        j.setSweepTask(a.sweepId, a.taskIndex);
        j.setFailureReason(a.reason.isEmpty() ? null : a.reason);
        return j;
    }

    /**
     * Tasks whose rows committed with {@code ids}: active, counted by their sweep, and queued
     * (or, in a cancelled sweep, ended at once); then dispatched.
     */
    void activate(SweepRun run, List<ActiveJob> tasks, long[] ids) {
        jobs.locked(() -> {
            for (int i = 0; i < ids.length; i++) {
                ActiveJob a = tasks.get(i);
                a.id = ids[i];
                a.feed = new JobFeed(a.id, a.summary(), null);
                jobs.activateLocked(a);
                run.stored(a.taskIndex, JobState.QUEUED);
                if (run.cancelRequested) {
                    jobs.endLocked(a, Ending.cancelled(Reasons.CANCELLED_BEFORE_RUN), null, null);
                } else {
                    jobs.schedulerLocked().enqueue(a, false);
                }
            }
            jobs.dispatchLocked();
        });
    }

    // ---- closing and the end ----------------------------------------------------------------

    /**
     * No more tasks come for {@code run}: the places of tasks never sent are given back and the
     * stored count written; when every task had ended, the sweep is finished.
     */
    void close(SweepRun run) {
        jobs.locked(() -> {
            jobs.releaseLocked(run.owner, run.unsentPlaces);
            run.unsentPlaces = 0;
            run.opener = null;
        });
        int claimed = run.claimed();
        boolean wasOpen = run.isOpen();
        if (wasOpen) {
            writer.submit(tx -> tx.sweeps().setTasks(run.id, claimed, false));
        }
        run.close();
    }

    /**
     * Every task of {@code run} ended: the counts are written, and once they committed the sweep
     * is no longer active and its script leaves memory.
     */
    void finish(SweepRun run) {
        SweepSummary s = run.summary();
        writer.submit(new StoreWriter.Op() {
            @Override
            public void apply(Transaction tx) {
                tx.sweeps().finish(run.id, s.finishedAt() == 0 ? System.currentTimeMillis()
                        : s.finishedAt(), s.succeeded(), s.failed(), s.cancelled());
            }

            @Override
            public void committed() {
                jobs.locked(() -> active.remove(run.id));
                scripts.forgetSweep(run.id);
            }
        });
    }

    /** A connection ended: the sweeps it was still sending are closed as they stand. */
    void peerGone(Peer peer) {
        List<SweepRun> opened = jobs.lockedGet(() -> {
            List<SweepRun> l = new ArrayList<>();
            for (SweepRun r : active.values()) {
                if (r.opener == peer) {
                    l.add(r);
                }
            }
            return l;
        });
        for (SweepRun r : opened) {
            LOG.info(() -> "sweep " + r.id + " of " + r.owner + " closed with " + r.claimed()
                    + " of " + r.taskCount + " tasks: its connection ended");
            close(r);
        }
    }

    // ---- SWC ------------------------------------------------------------------------------

    /**
     * SWC: closes the sweep and cancels its tasks that have not ended.
     *
     * @return the number cancelled, or -1 when {@code user} has no active sweep {@code id}
     */
    int cancel(String user, int n, long id, String remote) {
        SweepRun run = activeSweep(id);
        if (run == null || !run.owner.equals(user) || run.isFinished()) {
            return -1; // finished: its end is being written
        }
        run.cancelRequested = true;
        close(run);
        int count = jobs.lockedGet(() -> {
            int c = 0;
            for (ActiveJob j : jobs.activeOfSweepLocked(run)) {
                if (!j.state.isTerminal()) {
                    cancels.cancelLocked(j, null, null);
                    c++;
                }
            }
            return c;
        });
        audit.record(user, SWC, n, null, Code.SCF, "sweep " + id + ": " + count
                + " tasks cancelled", remote);
        return count;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void refuse(Peer runner, int n, AuditAction action, FailureKind kind, String why) {
        runner.send(n, new Message.Failure(kind, why));
        audit.record(runner.user(), action, n, null, Code.FLD, why, runner.remoteAddress());
    }
}
