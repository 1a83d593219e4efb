package idle.server.dispatch;

import idle.db.Database;
import idle.db.entity.Job;
import idle.db.entity.Sweep;
import idle.server.store.StoreWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * At start, after {@link Recovery#load}: every sweep not finished is active again (closed: a sweep
 * still open when the server stopped keeps the tasks it had), with its tasks' states from the
 * database, and the queued tasks are bound to their sweep. Sweeps with no task left to run are
 * finished. Runs once, before connections are accepted.
 */
final class SweepRecovery {
    private static final Logger LOG = Logger.getLogger(SweepRecovery.class.getName());

    private final Sweeps sweeps;
    private final StoreWriter writer;

    SweepRecovery(Sweeps sweeps, StoreWriter writer) {
        this.sweeps = sweeps;
        this.writer = writer;
    }

    void recover(idle.db.Database db, List<ActiveJob> queued) {
        List<Sweep> rows = db.inTransaction(tx -> tx.sweeps().unfinished());
        List<SweepRun> runs = new ArrayList<>();
        for (Sweep row : rows) {
            SweepRun run = new SweepRun(row.getId(), row.getOwnerName(), row.getScriptName(),
                    row.getScriptSha256(), row.getNeeds(), Math.max(1, row.getTaskCount()),
                    row.getInputsOf(), row.getSharedInputs(), row.getSubmittedAt(),
                    row.getRetryOf(), Long.MAX_VALUE, false, sweeps::finish);
            long before = 0;
            while (true) {
                long b = before;
                List<Job> page = db.inTransaction(tx -> tx.jobs().pageOfSweep(row.getOwnerName(),
                        row.getId(), b, 5_000));
                for (Job j : page) {
                    run.recovered(j.getTaskIndex(), j.getState());
                }
                if (page.size() < 5_000) {
                    break;
                }
                before = page.get(page.size() - 1).getId();
            }
            if (row.isOpen()) {
                int tasks = run.claimed();
                writer.submit(tx -> tx.sweeps().setTasks(row.getId(), tasks, false));
            }
            runs.add(run);
        }
        for (SweepRun r : runs) {
            sweeps.addActive(r);
        }
        for (ActiveJob a : queued) {
            if (a.sweepId != 0) {
                a.sweep = sweeps.activeSweep(a.sweepId);
            }
        }
        for (SweepRun r : runs) {
            r.checkFinished();
        }
        if (!runs.isEmpty()) {
            LOG.info("recovered " + runs.size() + " sweeps");
        }
    }
}
