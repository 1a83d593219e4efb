package idle.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * The statements on {@code CL_JOB} and {@code CL_EVENT}, run inside the caller's transaction
 * (never committing), after the caller's {@link LeaseTable#fence}.
 *
 * <p>Every change of a job is one compare-and-set by primary key ({@link #CAS}): it changes the
 * row only if its state and owner are still what the writer expects, so a claim succeeds only
 * on a QUEUED job, and an end only on a job RUNNING under the writer's own lease and epoch.
 * Within a transaction the rows are written in ascending id order, claims and ends merged: Derby
 * keeps the exclusive lock of a row an UPDATE looked at even when the row did not qualify (a
 * candidate another coordinator took meanwhile), so only one global lock order keeps two
 * coordinators from waiting for each other in a cycle.
 */
final class JobTable {
    /** Event kinds in {@code CL_EVENT}. */
    static final String CLAIM = "CLAIM";
    static final String FINISH = "FINISH";
    static final String REQUEUE = "REQUEUE";
    static final String FENCE = "FENCE";

    /** Owner columns of a job nobody runs, as the CAS compares them. */
    private static final int NO_NODE = -1;

    private static final String CAS = "UPDATE CL_JOB SET STATE = ?, CLAIM_NODE = ?, CLAIM_EPOCH = ?,"
            + " ATTEMPTS = ATTEMPTS + ? WHERE ID = ? AND STATE = ?"
            + " AND COALESCE(CLAIM_NODE, -1) = ? AND COALESCE(CLAIM_EPOCH, -1) = ?";

    private final Dialect dialect;

    JobTable(Dialect dialect) {
        this.dialect = dialect;
    }

    /** What one step's writes got. */
    record Step(List<Long> claimed, int ended, int candidates, int collisions) {
        static final Step NONE = new Step(List.of(), 0, 0, 0);
    }

    /**
     * Queued jobs worth trying for {@code wanted} free slots, in fair-share order. With SKIP
     * LOCKED they are locked for this transaction already; on Derby they are a random part of a
     * wider window read uncommitted.
     */
    List<Long> candidates(Connection c, int wanted, Random random) throws SQLException {
        List<Long> found = new ArrayList<>();
        if (wanted <= 0) {
            return found;
        }
        try (PreparedStatement p = c.prepareStatement(dialect.candidates(dialect.window(wanted)));
                ResultSet r = p.executeQuery()) {
            while (r.next()) {
                found.add(r.getLong(1));
            }
        }
        if (found.size() > wanted) {
            // coordinators reading the same head of the queue try different parts of it
            Collections.shuffle(found, random);
            return new ArrayList<>(found.subList(0, wanted));
        }
        return found;
    }

    /**
     * Claims {@code claims} (each only if still QUEUED) and ends {@code ends} (each only if still
     * RUNNING under {@code lease}), in ascending id order, with an event per change made.
     *
     * @param seen how many candidates were read (for the collision count)
     */
    Step write(Connection c, Lease lease, List<Long> claims, List<Long> ends, int seen, long now)
            throws SQLException {
        TreeMap<Long, Boolean> rows = new TreeMap<>(); // id -> true for a claim
        claims.forEach(id -> rows.put(id, true));
        ends.forEach(id -> rows.put(id, false));
        if (rows.isEmpty()) {
            return new Step(List.of(), 0, seen, 0);
        }
        List<Long> ids = new ArrayList<>(rows.keySet());
        List<Long> claimed = new ArrayList<>();
        List<Long> ended = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(CAS)) {
            for (long id : ids) {
                if (rows.get(id)) {
                    cas(p, id, "RUNNING", lease.node(), lease.epoch(), 1, "QUEUED", NO_NODE, NO_NODE);
                } else {
                    cas(p, id, "DONE", lease.node(), lease.epoch(), 0, "RUNNING", lease.node(), lease.epoch());
                }
            }
            int[] n = p.executeBatch();
            for (int i = 0; i < n.length; i++) {
                if (n[i] == 1) {
                    (rows.get(ids.get(i)) ? claimed : ended).add(ids.get(i));
                }
            }
        }
        events(c, claimed, CLAIM, lease, lease.node(), now);
        events(c, ended, FINISH, lease, lease.node(), now);
        return new Step(claimed, ended.size(), seen, claims.size() - claimed.size());
    }

    /**
     * The naive end of the negative test: any RUNNING job, whoever runs it now. Never used by a
     * fenced coordinator.
     */
    int endUnchecked(Connection c, Lease lease, List<Long> ids, long now) throws SQLException {
        List<Long> ended = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE CL_JOB SET STATE = 'DONE' WHERE ID = ? AND STATE = 'RUNNING'")) {
            for (long id : ids) {
                p.setLong(1, id);
                if (p.executeUpdate() == 1) {
                    ended.add(id);
                }
            }
        }
        events(c, ended, FINISH, lease, lease.node(), now);
        return ended.size();
    }

    /**
     * Puts back in the queue every job running under {@code fenced}, which the caller fenced in
     * this transaction (so no transaction of it can still be writing), and records the fence.
     *
     * @return the jobs re-queued
     */
    List<Long> requeue(Connection c, Lease fenced, int byNode, long now) throws SQLException {
        List<Long> ids = new ArrayList<>();
        // the fenced incarnation has no open transaction now, so a dirty read sees committed rows
        try (PreparedStatement p = c.prepareStatement("SELECT ID FROM CL_JOB WHERE CLAIM_NODE = ?"
                + " AND CLAIM_EPOCH = ? AND STATE = 'RUNNING'" + dialect.dirtyRead())) {
            p.setInt(1, fenced.node());
            p.setLong(2, fenced.epoch());
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
        }
        Collections.sort(ids);
        if (!ids.isEmpty()) {
            try (PreparedStatement p = c.prepareStatement(CAS)) {
                for (long id : ids) {
                    cas(p, id, "QUEUED", NO_NODE, NO_NODE, 0, "RUNNING", fenced.node(), fenced.epoch());
                }
                for (int k : p.executeBatch()) {
                    if (k != 1) {
                        throw new SQLException("a job of fenced " + fenced + " changed under the fence");
                    }
                }
            }
        }
        events(c, List.of(0L), FENCE, fenced, byNode, now);
        events(c, ids, REQUEUE, fenced, byNode, now);
        return ids;
    }

    /** Adds one compare-and-set to the batch; {@link #NO_NODE} stands for NULL owner columns. */
    private static void cas(PreparedStatement p, long id, String state, int node, long epoch,
            int attempt, String wasState, int wasNode, long wasEpoch) throws SQLException {
        p.setString(1, state);
        if (node == NO_NODE) {
            p.setNull(2, Types.INTEGER);
            p.setNull(3, Types.BIGINT);
        } else {
            p.setInt(2, node);
            p.setLong(3, epoch);
        }
        p.setInt(4, attempt);
        p.setLong(5, id);
        p.setString(6, wasState);
        p.setInt(7, wasNode);
        p.setLong(8, wasEpoch);
        p.addBatch();
    }

    private static void events(Connection c, List<Long> ids, String kind, Lease lease, int byNode,
            long now) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO CL_EVENT (JOB_ID, KIND, NODE,"
                + " EPOCH, BY_NODE, AT_MS) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (long id : ids) {
                p.setLong(1, id);
                p.setString(2, kind);
                p.setInt(3, lease.node());
                p.setLong(4, lease.epoch());
                p.setInt(5, byNode);
                p.setLong(6, now);
                p.addBatch();
            }
            p.executeBatch();
        }
    }
}
