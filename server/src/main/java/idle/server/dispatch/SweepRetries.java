package idle.server.dispatch;

import idle.db.Database;
import idle.db.Transaction;
import idle.db.entity.Job;
import idle.db.entity.Sweep;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.peer.Peer;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SWR: a new sweep of the tasks of a finished sweep that did not succeed, with the same script,
 * arguments, indexes and task count, reading the input files the old sweep stored (no copy). It
 * is refused when the old sweep still runs, when every task succeeded, or when its input files
 * are gone. The new sweep is stored with all its tasks in one write, closed, and followed like
 * an SWP. Runs on the runner connection's reader thread, except the commit callbacks.
 */
final class SweepRetries {
    private static final Logger LOG = Logger.getLogger(SweepRetries.class.getName());
    private static final AuditAction SWR = AuditAction.of(Code.SWR);

    private final Database db;
    private final Sweeps sweeps;
    private final SweepQueries queries;
    private final InputStore inputs;
    private final Scripts scripts;
    private final StoreWriter writer;
    private final JobStateMachine jobs;
    private final AuditLog audit;

    SweepRetries(Database db, Sweeps sweeps, SweepQueries queries, InputStore inputs,
            Scripts scripts, StoreWriter writer, JobStateMachine jobs, AuditLog audit) {
        this.db = db;
        this.sweeps = sweeps;
        this.queries = queries;
        this.inputs = inputs;
        this.scripts = scripts;
        this.writer = writer;
        this.jobs = jobs;
        this.audit = audit;
    }

    /** SWR#n. */
    void retry(Peer runner, int n, long sweepId) {
        String user = runner.user();
        if (queries.owned(user, sweepId).isEmpty()) {
            refuse(runner, n, FailureKind.NOT_FOUND, "you have no sweep " + sweepId);
            return;
        }
        SweepRun running = sweeps.activeSweep(sweepId);
        if (running != null && !running.isFinished()) { // finished: only its end is being written
            refuse(runner, n, FailureKind.WRONG_STATE, "sweep " + sweepId + " is still running; "
                    + "retry it once every task ended");
            return;
        }
        Optional<Sweep> found = db.inTransaction(tx -> tx.sweeps().find(sweepId));
        if (found.isEmpty()) {
            refuse(runner, n, FailureKind.NOT_FOUND, "you have no sweep " + sweepId);
            return;
        }
        Sweep old = found.get();
        List<Job> failed = new ArrayList<>();
        long before = 0;
        while (true) {
            long b = before;
            List<Job> page = db.inTransaction(tx -> tx.jobs().pageOfSweep(user, sweepId, b,
                    5_000));
            for (Job j : page) {
                if (j.getState() != JobState.SUCCEEDED) {
                    failed.add(j);
                }
            }
            if (page.size() < 5_000) {
                break;
            }
            before = page.get(page.size() - 1).getId();
        }
        if (failed.isEmpty()) {
            refuse(runner, n, FailureKind.WRONG_STATE, "every task of sweep " + sweepId
                    + " succeeded; there is nothing to retry");
            return;
        }
        failed.sort(Comparator.comparingInt(Job::getTaskIndex));
        List<String> shared = old.getSharedInputs();
        for (Job j : failed) {
            if (!inputs.taskFilesExist(old.getInputsOf(), j.getTaskIndex(), shared,
                    j.getInputNames())) {
                refuse(runner, n, FailureKind.NOT_FOUND, "the input files of sweep " + sweepId
                        + " (task " + j.getTaskIndex() + ") are no longer kept; run the sweep"
                        + " again with its files");
                return;
            }
        }
        Sweeps.Door door = sweeps.door(user, old.getNeeds(), WaitPolicy.QUEUE, failed.size());
        if (door != null) {
            if (door.noLenders()) {
                runner.send(n, new Message.NoLenders(door.why()));
                audit.record(user, SWR, n, null, Code.NLA, door.why(), runner.remoteAddress());
            } else {
                refuse(runner, n, FailureKind.LIMIT, door.why());
            }
            return;
        }
        store(runner, n, old, failed);
    }

    private void store(Peer runner, int n, Sweep old, List<Job> failed) {
        String user = runner.user();
        long now = System.currentTimeMillis();
        List<ActiveJob> tasks = new ArrayList<>();
        for (Job j : failed) {
            ActiveJob a = new ActiveJob(user, old.getScriptName(), old.getScriptSha256(),
                    j.getArgs(), j.getInputNames(), old.getNeeds(), now);
            a.taskIndex = j.getTaskIndex();
            a.reason = Reasons.WAITING;
            tasks.add(a);
        }
        writer.submit(new StoreWriter.Op() {
            private long id;
            private long[] ids;

            @Override
            public void apply(Transaction tx) {
                Sweep row = new Sweep(user, old.getScriptName(), old.getScriptSha256(),
                        old.getScript(), old.getSharedInputs(), old.getNeeds(),
                        old.getTaskCount(), now);
                row.setRetryOf(old.getId(), old.getInputsOf());
                row.setTasks(tasks.size());
                row.setOpen(false);
                id = tx.sweeps().add(row);
                ids = new long[tasks.size()];
                for (int i = 0; i < ids.length; i++) {
                    ActiveJob a = tasks.get(i);
                    a.sweepId = id;
                    ids[i] = tx.jobs().insert(Sweeps.rowOf(a));
                }
                audit.recordIn(tx, user, SWR, n, null, Code.SCF, "sweep " + id + " retries "
                        + tasks.size() + " tasks of sweep " + old.getId(), runner.remoteAddress());
            }

            @Override
            public void committed() {
                SweepRun run = new SweepRun(id, user, old.getScriptName(), old.getScriptSha256(),
                        old.getNeeds(), Math.max(1, old.getTaskCount()), old.getInputsOf(),
                        old.getSharedInputs(), now, old.getId(), Long.MAX_VALUE, false,
                        sweeps::finish);
                int[] idx = new int[tasks.size()];
                for (int i = 0; i < idx.length; i++) {
                    ActiveJob a = tasks.get(i);
                    a.sweep = run;
                    idx[i] = a.taskIndex;
                }
                run.recoverClaims(idx);
                scripts.rememberSweep(id, old.getScript());
                sweeps.addActive(run);
                SweepWatch watch = new SweepWatch(runner, n, run, true);
                watch.listen();
                sweeps.activate(run, tasks, ids);
                runner.send(n, new Message.Success(new Result.Sweep(run.summary())));
                watch.start(List.of());
            }

            @Override
            public void failed(RuntimeException e) {
                LOG.log(Level.SEVERE, "could not store a retry of sweep " + old.getId(), e);
                jobs.locked(() -> jobs.releaseLocked(user, tasks.size()));
                runner.send(n, new Message.Failure(FailureKind.INTERNAL,
                        "the retry could not be stored: " + e.getMessage()));
            }
        });
    }

    private void refuse(Peer runner, int n, FailureKind kind, String why) {
        runner.send(n, new Message.Failure(kind, why));
        audit.record(runner.user(), SWR, n, null, Code.FLD, why, runner.remoteAddress());
    }
}
