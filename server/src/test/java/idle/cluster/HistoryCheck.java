package idle.cluster;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays the committed history ({@code CL_EVENT} in commit order: a change's event is inserted
 * after its row locks were taken, so two changes of one job, or a lease's writes and its fence,
 * get sequence numbers in the order they committed) and names every broken rule:
 * <ul>
 * <li>a job is claimed only while QUEUED (never by two coordinators at once), and only under a
 *     lease not yet fenced;
 * <li>a job ends only while RUNNING, by the lease that claimed it, not yet fenced: so never twice;
 * <li>a job goes back to the queue only after its lease was fenced, once per claim;
 * <li>a lease is fenced at most once; at the end every job is DONE (none lost).
 * </ul>
 * It reads only what committed, so it judges the mechanism, not the coordinators' own counts.
 */
final class HistoryCheck {

    /** What the history holds, and what is wrong with it (empty when nothing). */
    record Result(List<String> violations, long claims, long finishes, long requeues, long fences,
            Map<Lease, List<Long>> requeuedByFence) {
    }

    private HistoryCheck() {
    }

    static Result check(Connection c) throws SQLException {
        List<String> bad = new ArrayList<>();
        Map<Lease, Long> fencedAt = new HashMap<>();
        Map<Long, String> state = new HashMap<>();
        Map<Long, Lease> owner = new HashMap<>();
        Map<Lease, List<Long>> requeued = new HashMap<>();
        long claims = 0;
        long finishes = 0;
        long requeues = 0;
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT SEQ, JOB_ID, KIND, NODE, EPOCH FROM CL_EVENT WHERE KIND = 'FENCE' ORDER BY SEQ")) {
            while (r.next()) {
                Lease l = new Lease(r.getInt(4), r.getLong(5));
                if (fencedAt.putIfAbsent(l, r.getLong(1)) != null) {
                    bad.add(l + " fenced twice");
                }
            }
        }
        Map<Long, String> finalState = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT ID, STATE FROM CL_JOB")) {
            while (r.next()) {
                state.put(r.getLong(1), "QUEUED"); // every job starts queued; replayed below
                finalState.put(r.getLong(1), r.getString(2));
            }
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT SEQ, JOB_ID, KIND, NODE, EPOCH FROM CL_EVENT WHERE KIND <> 'FENCE' ORDER BY SEQ")) {
            while (r.next()) {
                long seq = r.getLong(1);
                long job = r.getLong(2);
                String kind = r.getString(3);
                Lease l = new Lease(r.getInt(4), r.getLong(5));
                String was = state.get(job);
                Long fence = fencedAt.get(l);
                boolean fencedBefore = fence != null && fence < seq;
                String what = "job " + job + " " + kind + " by " + l + " (event " + seq + ")";
                switch (kind) {
                    case JobTable.CLAIM -> {
                        claims++;
                        if (!"QUEUED".equals(was)) {
                            bad.add(what + " while " + was + (owner.containsKey(job) ? " under " + owner.get(job) : ""));
                        }
                        if (fencedBefore) {
                            bad.add(what + ": its lease was fenced at event " + fence);
                        }
                        state.put(job, "RUNNING");
                        owner.put(job, l);
                    }
                    case JobTable.FINISH -> {
                        finishes++;
                        if (!"RUNNING".equals(was) || !l.equals(owner.get(job))) {
                            bad.add(what + " while " + was + " under " + owner.get(job));
                        }
                        if (fencedBefore) {
                            bad.add(what + ": its lease was fenced at event " + fence);
                        }
                        state.put(job, "DONE");
                    }
                    case JobTable.REQUEUE -> {
                        requeues++;
                        if (!"RUNNING".equals(was) || !l.equals(owner.get(job))) {
                            bad.add(what + " while " + was + " under " + owner.get(job));
                        }
                        if (!fencedBefore) {
                            bad.add(what + " before its lease was fenced");
                        }
                        state.put(job, "QUEUED");
                        owner.remove(job);
                        requeued.computeIfAbsent(l, k -> new ArrayList<>()).add(job);
                    }
                    default -> bad.add(what + ": unknown kind");
                }
            }
        }
        for (Map.Entry<Long, String> e : state.entrySet()) {
            String stored = finalState.get(e.getKey());
            if (!e.getValue().equals(stored)) {
                bad.add("job " + e.getKey() + " is " + stored + " but its history ends " + e.getValue());
            }
        }
        c.commit();
        return new Result(bad, claims, finishes, requeues, fencedAt.size(), requeued);
    }
}
