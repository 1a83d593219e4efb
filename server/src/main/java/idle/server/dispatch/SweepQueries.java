package idle.server.dispatch;

import idle.db.Database;
import idle.db.entity.Job;
import idle.db.entity.Sweep;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.peer.Peer;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import idle.shared.protocol.Code;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a runner may ask about its sweeps: SWA (a sweep's summary and its tasks' states, live
 * when following) and SWL (a page of sweeps, or of one sweep's tasks). Active sweeps are counted
 * from memory ({@link SweepRun}), finished ones from their row; tasks come from the database.
 * A runner sees only its own sweeps: another's is "not found", like one that does not exist.
 * Runs on the runner connection's reader thread.
 */
final class SweepQueries {
    private static final AuditAction SWA = AuditAction.of(Code.SWA);
    private static final AuditAction SWL = AuditAction.of(Code.SWL);
    /** Tasks read from the database per query when all of a sweep's are needed. */
    private static final int PAGE = 5_000;

    private final Database db;
    private final Sweeps sweeps;
    private final AuditLog audit;

    SweepQueries(Database db, Sweeps sweeps, AuditLog audit) {
        this.db = db;
        this.sweeps = sweeps;
        this.audit = audit;
    }

    /** SWA#n: SCF{Sweep}, then a JST per task, then (following) its changes until it ends. */
    void attach(Peer runner, int n, long sweepId, boolean follow) {
        String user = runner.user();
        SweepRun run = sweeps.activeSweep(sweepId);
        SweepSummary summary;
        SweepWatch watch;
        if (run != null && run.owner.equals(user)) {
            watch = new SweepWatch(runner, n, run, follow);
            watch.listen(); // before the snapshot is read: nothing committed later is missed
            summary = run.summary();
        } else {
            Optional<Sweep> row = owned(user, sweepId);
            if (row.isEmpty()) {
                notFound(runner, n, SWA, sweepId);
                return;
            }
            summary = summaryOf(row.get());
            watch = new SweepWatch(runner, n, null, false);
        }
        List<JobSummary> tasks = allTasks(user, sweepId);
        runner.send(n, new Message.Success(new Result.Sweep(summary)));
        audit.record(user, SWA, n, null, Code.SCF, "sweep " + sweepId + (follow ? ", follow"
                : ""), runner.remoteAddress());
        watch.start(tasks);
    }

    /** SWL: a page of sweeps ({@code sweepId} 0), or of one sweep's tasks; null: not found. */
    Result list(Peer runner, int n, Message.SweepList m) {
        String user = runner.user();
        if (m.sweepId() == 0) {
            List<Sweep> rows = db.inTransaction(tx -> tx.sweeps().page(user, m.beforeId(),
                    m.limit() + 1));
            List<SweepSummary> out = new ArrayList<>();
            for (int i = 0; i < Math.min(rows.size(), m.limit()); i++) {
                Sweep r = rows.get(i);
                SweepRun run = sweeps.activeSweep(r.getId());
                out.add(run != null ? run.summary() : summaryOf(r));
            }
            audit.record(user, SWL, n, null, Code.SCF, "sweeps", runner.remoteAddress());
            return new Result.SweepPage(out, rows.size() > m.limit());
        }
        SweepRun run = sweeps.activeSweep(m.sweepId());
        boolean mine = run != null ? run.owner.equals(user)
                : owned(user, m.sweepId()).isPresent();
        if (!mine) {
            notFound(runner, n, SWL, m.sweepId());
            return null;
        }
        List<Job> rows = db.inTransaction(tx -> tx.jobs().pageOfSweep(user, m.sweepId(),
                m.beforeId(), m.limit() + 1));
        List<JobSummary> out = new ArrayList<>();
        for (int i = 0; i < Math.min(rows.size(), m.limit()); i++) {
            out.add(JobViews.summaryOf(rows.get(i)));
        }
        audit.record(user, SWL, n, null, Code.SCF, "tasks of sweep " + m.sweepId(),
                runner.remoteAddress());
        return new Result.JobPage(out, rows.size() > m.limit());
    }

    /** The row of sweep {@code id} when {@code user} owns it (read without its script). */
    Optional<Sweep> owned(String user, long id) {
        if (id <= 0) {
            return Optional.empty();
        }
        List<Sweep> l = db.inTransaction(tx -> tx.sweeps().page(user, id + 1, 1));
        return l.isEmpty() || l.get(0).getId() != id ? Optional.empty() : Optional.of(l.get(0));
    }

    /** Every task of a sweep {@code user} owns, newest first. */
    List<JobSummary> allTasks(String user, long sweepId) {
        List<JobSummary> out = new ArrayList<>();
        long before = 0;
        while (true) {
            long b = before;
            List<Job> page = db.inTransaction(tx -> tx.jobs().pageOfSweep(user, sweepId, b, PAGE));
            for (Job j : page) {
                out.add(JobViews.summaryOf(j));
            }
            if (page.size() < PAGE) {
                return out;
            }
            before = page.get(page.size() - 1).getId();
        }
    }

    /** The summary of a sweep that is not active (finished; counted from its row). */
    SweepSummary summaryOf(Sweep r) {
        if (r.getFinishedAt() != 0) {
            return new SweepSummary(r.getId(), r.getScriptName(), r.getTaskCount(), r.getTasks(),
                    0, 0, r.getSucceeded(), r.getFailed(), r.getCancelled(), r.getSubmittedAt(),
                    r.getFinishedAt(), r.getRetryOf(), false);
        }
        // not finished and not active: only while the server starts; count its tasks
        Map<JobState, Long> c = db.inTransaction(tx -> tx.jobs().countByStateOfSweep(r.getId()));
        int failed = (int) (c.get(JobState.FAILED) + c.get(JobState.LIMIT_EXCEEDED)
                + c.get(JobState.LOST));
        return new SweepSummary(r.getId(), r.getScriptName(), r.getTaskCount(), r.getTasks(),
                c.get(JobState.QUEUED).intValue(), c.get(JobState.RUNNING).intValue(),
                c.get(JobState.SUCCEEDED).intValue(), failed, c.get(JobState.CANCELLED).intValue(),
                r.getSubmittedAt(), 0, r.getRetryOf(), r.isOpen());
    }

    private void notFound(Peer runner, int n, AuditAction action, long sweepId) {
        runner.send(n, new Message.Failure(FailureKind.NOT_FOUND, "you have no sweep "
                + sweepId));
        audit.record(runner.user(), action, n, null, Code.FLD, "sweep " + sweepId
                + " not found", runner.remoteAddress());
    }
}
