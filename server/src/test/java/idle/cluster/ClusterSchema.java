package idle.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The prototype's tables, the part of a shared schema that decides who runs what:
 * <ul>
 * <li>{@code CL_COORD}: one row per coordinator node, its lease ({@code LEASE_UNTIL}, epoch
 *     milliseconds) and its fencing token ({@code EPOCH}, raised whenever an incarnation is
 *     fenced off: by a peer taking over an expired lease, or by the node's next incarnation);
 * <li>{@code CL_JOB}: jobs with their fair-share turn and, while running, the node and epoch
 *     that claimed them;
 * <li>{@code CL_EVENT}: one row per change that committed, written in the change's own
 *     transaction (as the real server writes an audit row with each job change); the history
 *     {@link HistoryCheck} replays.
 * </ul>
 * Plain SQL that Derby and PostgreSQL both accept.
 */
final class ClusterSchema {
    private static final String[] DROP = {"CL_EVENT", "CL_JOB", "CL_COORD"};

    private ClusterSchema() {
    }

    /** Drops the tables if present (a reused PostgreSQL database), creates them, adds nodes. */
    static void create(ClusterDb db, int nodes) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String t : DROP) {
                if (exists(c, t)) {
                    s.executeUpdate("DROP TABLE " + t);
                }
            }
            s.executeUpdate("CREATE TABLE CL_COORD (NODE INT PRIMARY KEY, EPOCH BIGINT NOT NULL,"
                    + " LIVE SMALLINT NOT NULL, LEASE_UNTIL BIGINT NOT NULL, WRITES BIGINT NOT NULL)");
            s.executeUpdate("CREATE TABLE CL_JOB (ID BIGINT PRIMARY KEY, OWNER_NAME VARCHAR(32) NOT NULL,"
                    + " TURN BIGINT NOT NULL, STATE VARCHAR(8) NOT NULL, CLAIM_NODE INT,"
                    + " CLAIM_EPOCH BIGINT, ATTEMPTS INT NOT NULL)");
            s.executeUpdate("CREATE INDEX CL_JOB_QUEUE_IX ON CL_JOB (STATE, TURN, ID)");
            s.executeUpdate("CREATE INDEX CL_JOB_CLAIM_IX ON CL_JOB (CLAIM_NODE, CLAIM_EPOCH)");
            s.executeUpdate("CREATE TABLE CL_EVENT (SEQ BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                    + " JOB_ID BIGINT NOT NULL, KIND VARCHAR(8) NOT NULL, NODE INT NOT NULL,"
                    + " EPOCH BIGINT NOT NULL, BY_NODE INT NOT NULL, AT_MS BIGINT NOT NULL)");
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO CL_COORD (NODE, EPOCH, LIVE, LEASE_UNTIL, WRITES) VALUES (?, 0, 0, 0, 0)")) {
                for (int n = 1; n <= nodes; n++) {
                    p.setInt(1, n);
                    p.addBatch();
                }
                p.executeBatch();
            }
            c.commit();
        }
    }

    /**
     * Queues {@code jobs} jobs of {@code owners} runners, ids from {@code firstId}. Turns are
     * given as the fair share would at submission (start-time fair queueing): a runner's k-th
     * waiting job gets turn k, so ordering by turn takes the runners in turn.
     */
    static void queue(ClusterDb db, long firstId, int jobs, int owners) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(
                "INSERT INTO CL_JOB (ID, OWNER_NAME, TURN, STATE, ATTEMPTS) VALUES (?, ?, ?, 'QUEUED', 0)")) {
            for (int i = 0; i < jobs; i++) {
                p.setLong(1, firstId + i);
                p.setString(2, "runner" + (i % owners));
                p.setLong(3, i / owners);
                p.addBatch();
                if (i % 1000 == 999) {
                    p.executeBatch();
                }
            }
            p.executeBatch();
            c.commit();
        }
    }

    /** Jobs not DONE. */
    static long unfinished(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT COUNT(*) FROM CL_JOB WHERE STATE <> 'DONE'")) {
            r.next();
            long n = r.getLong(1);
            c.commit();
            return n;
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        // only the connection's own schema: a PostgreSQL test database holds one schema per test
        String schema = c.getSchema();
        try (ResultSet r = c.getMetaData().getTables(null, null, null, new String[] {"TABLE"})) {
            while (r.next()) {
                if (r.getString("TABLE_NAME").equalsIgnoreCase(table)
                        && (schema == null || schema.equalsIgnoreCase(r.getString("TABLE_SCHEM")))) {
                    return true;
                }
            }
        }
        return false;
    }
}
