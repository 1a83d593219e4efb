package idle.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.Job;
import idle.shared.testing.Poll;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.derby.drda.NetworkServerControl;
import org.junit.jupiter.api.Test;

/** Opening, reopening and closing databases, embedded and through the Derby network server. */
class DatabaseLifecycleTest {
    @Test
    void reopeningAnExistingDatabaseLogsNoWarnings() {
        DatabaseConfig config = TestDatabases.freshOnDisk();
        Database.open(config).close();
        List<LogRecord> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger eclipselink = Logger.getLogger("org.eclipse.persistence");
        eclipselink.addHandler(capture);
        try (Database db = Database.open(config)) {
            db.useTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "a.py")));
        } finally {
            eclipselink.removeHandler(capture);
        }
        assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void missingIndexesAreAddedAndObsoleteOnesDroppedWhenAnOlderDatabaseIsOpened() throws Exception {
        DatabaseConfig config = TestDatabases.freshOnDisk();
        try (Database db = Database.open(config); Connection c = TestDatabases.jdbc(config);
                Statement st = c.createStatement()) {
            st.executeUpdate("DROP INDEX JOB_SWEEP_IX");
            assertFalse(indexes(c, "JOB").contains("JOB_SWEEP_IX"));
            // indexes older versions made and this one drops
            st.executeUpdate("CREATE INDEX AUDIT_ID_DESC_IX ON AUDIT_EVENT (ID DESC)");
            st.executeUpdate("CREATE INDEX JOB_ID_DESC_IX ON JOB (ID DESC)");
            st.executeUpdate("CREATE INDEX AUDIT_AT_IX ON AUDIT_EVENT (AT_MILLIS)");
            st.executeUpdate("CREATE INDEX AUDIT_USER_DESC_IX ON AUDIT_EVENT (USER_NAME, ID DESC)");
            st.executeUpdate("CREATE INDEX JOB_OWNER_DESC_IX ON JOB (OWNER_NAME, ID DESC)");
            // the two that JOB_OPEN_VERIFY_IX replaced
            st.executeUpdate("DROP INDEX JOB_OPEN_VERIFY_IX");
            st.executeUpdate("CREATE INDEX JOB_OPEN_IX ON JOB (STATE_OPEN, ID)");
            st.executeUpdate("CREATE INDEX JOB_VERIFY_IX ON JOB (VERIFY_OF)");
        }
        try (Database db = Database.open(config); Connection c = TestDatabases.jdbc(config)) {
            assertTrue(indexes(c, "JOB").containsAll(Set.of("JOB_SWEEP_IX", "JOB_OPEN_VERIFY_IX")));
            for (String gone : List.of("JOB_ID_DESC_IX", "JOB_OPEN_IX", "JOB_VERIFY_IX",
                    "JOB_OWNER_DESC_IX")) {
                assertFalse(indexes(c, "JOB").contains(gone), gone);
            }
            for (String gone : List.of("AUDIT_ID_DESC_IX", "AUDIT_AT_IX", "AUDIT_USER_DESC_IX")) {
                assertFalse(indexes(c, "AUDIT_EVENT").contains(gone), gone);
            }
        }
    }

    @Test
    void anOlderDatabaseGetsTheOpenFlagFromTheStatesAndLosesTheStateIndex() throws Exception {
        DatabaseConfig config = TestDatabases.freshOnDisk();
        long queued;
        long running;
        long done;
        try (Database db = Database.open(config)) {
            queued = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "q.py")).getId());
            running = db.inTransaction(tx -> {
                idle.db.entity.Job j = TestDatabases.job("alice", "r.py");
                j.setState(idle.shared.model.JobState.RUNNING);
                return tx.jobs().add(j).getId();
            });
            done = db.inTransaction(tx -> {
                idle.db.entity.Job j = TestDatabases.job("alice", "d.py");
                j.setState(idle.shared.model.JobState.SUCCEEDED);
                return tx.jobs().add(j).getId();
            });
        }
        // make it look like a database of the previous version: no flag, a state index
        try (Connection c = TestDatabases.jdbc(config); Statement st = c.createStatement()) {
            st.executeUpdate("DROP INDEX JOB_OPEN_VERIFY_IX");
            st.executeUpdate("ALTER TABLE JOB DROP COLUMN STATE_OPEN");
            st.executeUpdate("CREATE INDEX JOB_STATE_IX ON JOB (JOB_STATE, ID)");
        }
        shutdown(config);
        try (Database db = Database.open(config); Connection c = TestDatabases.jdbc(config)) {
            assertTrue(indexes(c, "JOB").contains("JOB_OPEN_VERIFY_IX"));
            assertFalse(indexes(c, "JOB").contains("JOB_STATE_IX"));
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT ID, STATE_OPEN FROM JOB ORDER BY ID")) {
                java.util.Map<Long, Integer> open = new java.util.HashMap<>();
                while (rs.next()) {
                    open.put(rs.getLong(1), rs.getInt(2));
                }
                assertEquals(java.util.Map.of(queued, 1, running, 1, done, 0), open);
            }
            assertEquals(List.of(queued, running), db.inTransaction(tx -> tx.jobs().inStates(
                    java.util.EnumSet.of(idle.shared.model.JobState.QUEUED, idle.shared.model.JobState.RUNNING)))
                    .stream().map(idle.db.entity.Job::getId).toList());
        }
    }

    @Test
    void aDatabaseFromBeforeSweepsGetsTheSweepTableAndColumnsAndKeepsItsJobs() throws Exception {
        DatabaseConfig config = TestDatabases.freshOnDisk();
        long old;
        try (Database db = Database.open(config)) {
            old = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "q.py")).getId());
        }
        // the previous version: no SWEEP table, no sweep columns, no sweep index
        try (Connection c = TestDatabases.jdbc(config); Statement st = c.createStatement()) {
            st.executeUpdate("DROP INDEX JOB_SWEEP_IX");
            st.executeUpdate("ALTER TABLE JOB DROP COLUMN SWEEP_ID");
            st.executeUpdate("ALTER TABLE JOB DROP COLUMN TASK_INDEX");
            st.executeUpdate("DROP TABLE SWEEP");
            st.executeUpdate("DROP SEQUENCE SWEEP_SEQ RESTRICT");
        }
        shutdown(config);
        try (Database db = Database.open(config); Connection c = TestDatabases.jdbc(config)) {
            assertTrue(indexes(c, "JOB").contains("JOB_SWEEP_IX"));
            idle.db.entity.Job j = db.inTransaction(tx -> tx.jobs().find(old)).orElseThrow();
            assertEquals(0, j.getSweepId());
            assertEquals(List.of(old), db.inTransaction(tx -> tx.jobs().pageOwnJobs("alice", null,
                    null, 0, 10)).stream().map(idle.db.entity.Job::getId).toList());
            long sweep = db.inTransaction(tx -> tx.sweeps().add(new idle.db.entity.Sweep("alice",
                    "s.py", "ab".repeat(32), new byte[] {1}, List.of(),
                    idle.shared.model.JobNeeds.NONE, 3, 5)));
            assertTrue(sweep > 0);
        }
    }

    @Test
    void aDatabaseFromBeforeLenderRecordsGetsTheTableAndKeepsItsJobs() throws Exception {
        DatabaseConfig config = TestDatabases.freshOnDisk();
        long old;
        try (Database db = Database.open(config)) {
            old = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "q.py")).getId());
        }
        try (Connection c = TestDatabases.jdbc(config); Statement st = c.createStatement()) {
            st.executeUpdate("DROP TABLE LENDER_RECORD");
        }
        shutdown(config);
        try (Database db = Database.open(config)) {
            assertTrue(db.inTransaction(tx -> tx.jobs().find(old)).isPresent());
            assertEquals(List.of(), db.inTransaction(tx -> tx.lenders().all()));
            db.useTransaction(tx -> tx.lenders().add(new idle.db.repository.LenderDelta("bob", 1,
                    0, 0, 0, 5, 5, 0, 9)));
            assertEquals(1, db.inTransaction(tx -> tx.lenders().find("bob")).orElseThrow()
                    .agreed());
        }
    }

    private static void shutdown(DatabaseConfig config) {
        try {
            java.sql.DriverManager.getConnection(config.baseUrl() + ";shutdown=true").close();
        } catch (java.sql.SQLException e) {
            assertEquals("08006", e.getSQLState(), e.toString());
        }
    }

    private static Set<String> indexes(Connection c, String table) throws Exception {
        Set<String> names = new HashSet<>();
        try (ResultSet rs = c.getMetaData().getIndexInfo(null, c.getSchema(), table, false, true)) {
            while (rs.next()) {
                names.add(rs.getString("INDEX_NAME"));
            }
        }
        return names;
    }

    @Test
    void closedDatabaseRefusesWorkAndClosingTwiceIsHarmless() {
        Database db = Database.open(TestDatabases.freshInMemory());
        db.close();
        db.close();
        assertThrows(IllegalStateException.class, () -> db.useTransaction(tx -> tx.jobs().count()));
    }

    @Test
    void unreachableServerFailsToOpen() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nobody listens there
        }
        DatabaseConfig config = DatabaseConfig.of("jdbc:derby://localhost:" + port + "/nothing;create=true");
        RuntimeException e = assertThrows(RuntimeException.class, () -> Database.open(config));
        assertTrue(e.getMessage().contains("localhost"), e.getMessage());
    }

    @Test
    void worksThroughTheDerbyNetworkServer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NetworkServerControl server = new NetworkServerControl(InetAddress.getLoopbackAddress(), port);
        server.start(new PrintWriter(java.io.Writer.nullWriter()));
        try {
            Poll.require(() -> answersPing(server), Duration.ofSeconds(10), "the Derby network server");
            DatabaseConfig config = new DatabaseConfig(
                    "jdbc:derby://localhost:" + port + "/memory:net" + port + ";create=true", "idle", "secret");
            long id;
            try (Database db = Database.open(config)) {
                id = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "net.py")).getId());
                db.useTransaction(tx -> tx.audit().append(1, "alice", "RCS", 1, id, "SCF", "", "::1"));
            }
            try (Database db = Database.open(config)) {
                Job j = db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow();
                assertEquals("net.py", j.getScriptName());
                assertTrue(db.inTransaction(tx -> tx.audit().verify()).ok());
            }
        } finally {
            server.shutdown();
        }
    }

    private static boolean answersPing(NetworkServerControl server) {
        try {
            server.ping();
            return true;
        } catch (Exception notYet) {
            return false;
        }
    }
}
