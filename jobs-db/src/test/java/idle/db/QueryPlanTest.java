package idle.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.Job;
import idle.shared.model.JobState;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queries a busy server runs often must read an index, not the whole table, also after Derby
 * computed statistics that show only a few distinct states (most jobs finished).
 */
class QueryPlanTest {
    private static final int JOBS = 6000;
    private static DatabaseConfig config;
    private static Database db;

    @BeforeAll
    static void fill() throws Exception {
        config = TestDatabases.freshInMemory();
        db = Database.open(config);
        db.useTransaction(tx -> {
            for (int i = 0; i < 3000; i++) {
                tx.audit().append(i, "user" + (i % 20), "RCS", i, null, "SCF", "", null);
            }
        });
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement ps = c.prepareStatement("INSERT INTO JOB (ID, OWNER_NAME, SCRIPT_NAME,"
                        + " SCRIPT_SHA256, SCRIPT, ARGS, INPUT_NAMES, OUTPUT_FILES, JOB_STATE, ATTEMPTS,"
                        + " SUBMITTED_AT, STARTED_AT, FINISHED_AT, OUTPUT_BYTES, CPU_MILLIS, MIN_PYTHON,"
                        + " MEMORY_MB, TIMEOUT_SECONDS, STATE_OPEN) VALUES (NEXT VALUE FOR JOB_SEQ, ?, 'a.py', 'x', ?, '',"
                        + " '', '', ?, 1, 1, 2, 3, 0, 0, '', 0, 0, ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < JOBS; i++) {
                ps.setString(1, "user" + (i % 20));
                ps.setBytes(2, new byte[100]);
                JobState state = i % 500 == 0 ? JobState.QUEUED : i % 3 == 0 ? JobState.FAILED : JobState.SUCCEEDED;
                ps.setString(3, state.name());
                ps.setShort(4, (short) (state.isTerminal() ? 0 : 1));
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
            try (Statement st = c.createStatement()) {
                st.execute("CALL SYSCS_UTIL.SYSCS_UPDATE_STATISTICS('APP', 'JOB', NULL)");
                st.execute("CALL SYSCS_UTIL.SYSCS_UPDATE_STATISTICS('APP', 'AUDIT_EVENT', NULL)");
            }
            c.commit();
        }
    }

    @AfterAll
    static void close() {
        db.close();
    }

    /** Runs {@code query} with Derby's runtime statistics on and returns the plan text. */
    private static String plan(Consumer<Transaction> query) {
        return db.inTransaction(tx -> {
            Connection c = ((JpaTransaction) tx).entityManager().unwrap(Connection.class);
            try (CallableStatement on = c.prepareCall("CALL SYSCS_UTIL.SYSCS_SET_RUNTIMESTATISTICS(1)")) {
                on.execute();
                query.accept(tx);
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("VALUES SYSCS_UTIL.SYSCS_GET_RUNTIMESTATISTICS()")) {
                    rs.next();
                    String text = rs.getString(1);
                    try (CallableStatement off = c.prepareCall("CALL SYSCS_UTIL.SYSCS_SET_RUNTIMESTATISTICS(0)")) {
                        off.execute();
                    }
                    return text;
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void assertIndexScan(String plan, String index) {
        assertTrue(plan.contains("using index " + index), plan);
        assertFalse(plan.contains("Table Scan"), plan);
    }

    @Test
    void openJobsAreFoundThroughTheOpenIndexInIdOrder() {
        String p = plan(tx -> assertEquals(JOBS / 500, tx.jobs().inStates(EnumSet.of(JobState.QUEUED, JobState.RUNNING)).size()));
        assertIndexScan(p, "JOB_OPEN_VERIFY_IX");
        // only the open jobs are read (and sorted by id), never the ended history
        assertTrue(p.contains("Rows seen = " + JOBS / 500), p);
        String one = plan(tx -> assertEquals(JOBS / 500, tx.jobs().inStates(EnumSet.of(JobState.QUEUED)).size()));
        assertIndexScan(one, "JOB_OPEN_VERIFY_IX");
    }

    @Test
    void replicasAreFoundThroughTheOpenVerifyIndex() {
        String p = plan(tx -> assertEquals(List.of(), tx.jobs().replicasOf(17)));
        assertIndexScan(p, "JOB_OPEN_VERIFY_IX");
        assertTrue(p.contains("Rows seen = 0"), p);
    }

    @Test
    void anOwnersPagesForTheAdminReadKeyRangesOfThePrimaryKeyNewestFirst() {
        List<Job> page = db.inTransaction(tx -> tx.jobs().page("user3", null, null, 0, 50));
        assertEquals(50, page.size());
        assertTrue(page.stream().allMatch(j -> j.getOwnerName().equals("user3")), "only user3's");
        for (int i = 1; i < page.size(); i++) {
            assertTrue(page.get(i).getId() < page.get(i - 1).getId(), "newest first");
        }
        long newest = db.inTransaction(tx -> tx.jobs().page(null, null, null, 0, 20)).stream()
                .filter(j -> j.getOwnerName().equals("user3")).findFirst().orElseThrow().getId();
        assertEquals(newest, page.get(0).getId(), "the page starts at the newest");
        List<Job> next = db.inTransaction(tx -> tx.jobs().page("user3", null, null,
                page.get(49).getId(), 50));
        List<Long> both = new java.util.ArrayList<>(page.stream().map(Job::getId).toList());
        both.addAll(next.stream().map(Job::getId).toList());
        assertEquals(db.inTransaction(tx -> tx.jobs().page("user3", null, null, 0, 100)).stream()
                .map(Job::getId).toList(), both, "the next page follows on");
        String p = plan(tx -> tx.jobs().page("user3", null, null, 0, 50));
        // no index of the owner to maintain per job: bound ranges of the primary key
        assertTrue(p.contains("Index Scan ResultSet for JOB"), p);
        assertTrue(p.contains("start position"), p);
        assertFalse(p.contains("JOB_OWNER_DESC_IX"), p);
        assertFalse(p.contains("Table Scan"), p);
        assertFalse(p.contains("Sort ResultSet"), p);
    }

    @Test
    void ownJobsPagesAndSweepTaskPagesReadTheSweepIndexInOrder() {
        String p = plan(tx -> assertEquals(50, tx.jobs().pageOwnJobs("user3", null, null, 0, 50)
                .size()));
        assertIndexScan(p, "JOB_SWEEP_IX");
        assertFalse(p.contains("Sort ResultSet"), p);
        String tasks = plan(tx -> assertEquals(0, tx.jobs().pageOfSweep("user3", 7, 0, 50).size()));
        assertIndexScan(tasks, "JOB_SWEEP_IX");
        assertFalse(tasks.contains("Sort ResultSet"), tasks);
    }

    /**
     * The windowed pages start from the ends of the id range: each a single key of the primary
     * key (asked together, MIN and MAX made Derby read the whole index).
     */
    @Test
    void theEndsOfTheIdRangeReadOneKeyEach() {
        for (String sql : List.of(idle.db.repository.jpa.JpaJobRepository.FIRST_ID,
                idle.db.repository.jpa.JpaJobRepository.LAST_ID)) {
            String p = plan(tx -> ((JpaTransaction) tx).entityManager().createNativeQuery(sql)
                    .getSingleResult());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Rows seen = (\\d+)")
                    .matcher(p);
            while (m.find()) {
                assertTrue(Long.parseLong(m.group(1)) <= 1, sql + "\n" + p);
            }
            assertFalse(p.contains("Table Scan"), p);
        }
        String both = plan(tx -> ((JpaTransaction) tx).entityManager().createNativeQuery(
                "SELECT MIN(ID), MAX(ID) FROM JOB").getSingleResult());
        assertTrue(both.contains("Rows seen = " + JOBS), "the control: " + both);
    }

    @Test
    void adminHistoryPagesReadAKeyRangeOfThePrimaryKeyInOrder() {
        long before = db.inTransaction(tx -> tx.jobs().page(null, null, null, 0, 1000)).get(999).getId();
        String p = plan(tx -> assertEquals(50, tx.jobs().page(null, null, null, before, 50).size()));
        // no descending index of the id to maintain per job: a bound range of the primary key
        assertTrue(p.contains("Index Scan ResultSet for JOB"), p);
        assertTrue(p.contains("start position"), p);
        assertFalse(p.contains("Table Scan"), p);
        assertFalse(p.contains("Sort ResultSet"), p);
        String own = plan(tx -> assertEquals(50, tx.jobs().pageOwnJobs(null, null, null, before, 50).size()));
        assertTrue(own.contains("Index Scan ResultSet for JOB"), own);
        assertFalse(own.contains("Table Scan"), own);
        assertFalse(own.contains("Sort ResultSet"), own);
    }

    @Test
    void auditTailsReadKeyRangesOfThePrimaryKeyInOrder() {
        String p = plan(tx -> assertEquals(List.of(2981L, 3000L), List.of(tx.audit().latest(null, 20).get(0).getId(),
                tx.audit().latest(null, 20).get(19).getId())));
        // a primary-key range (ids are dense), read in order; no index of its own to maintain
        assertFalse(p.contains("Table Scan"), p);
        assertFalse(p.contains("Sort ResultSet"), p);
        assertFalse(p.contains("AUDIT_USER_DESC_IX") || p.contains("AUDIT_AT_IX"), p);
        // a user's tail: windows of the primary key read in order, newest first (no user index)
        String own = plan(tx -> assertEquals(20, tx.audit().latest("user5", 20).size()));
        assertFalse(own.contains("Table Scan"), own);
        assertFalse(own.contains("Sort ResultSet"), own);
        assertFalse(own.contains("AUDIT_USER_DESC_IX"), own);
        assertTrue(own.contains("start position"), own);
        String since = plan(tx -> assertEquals(5, tx.audit().query(2900L, "user5", 5).size()));
        assertFalse(since.contains("Table Scan"), since);
        assertFalse(since.contains("Sort ResultSet"), since);
    }

    @Test
    void auditSinceProbesThePrimaryKeyAndReadsARangeOfIt() {
        // times 0..2999 by id (see fill): the first row at or after 2990 is id 2991
        List<Long> ids = db.inTransaction(tx -> tx.audit().query(2990L, null, 100)).stream()
                .map(idle.db.entity.AuditEvent::getId).toList();
        assertEquals(List.of(2991L, 3000L), List.of(ids.get(0), ids.get(ids.size() - 1)));
        String p = plan(tx -> assertEquals(10, tx.audit().query(2990L, null, 100).size()));
        // no index of the times to maintain per row, and no scan of the whole table either
        assertFalse(p.contains("Table Scan"), p);
        assertFalse(p.contains("AUDIT_AT_IX"), p);
        assertFalse(p.contains("Sort ResultSet"), p);
        assertTrue(p.contains("start position"), p);
    }

    @Test
    void auditQueriesBindTheirValuesSoThatEachShapeIsCompiledOnce() throws Exception {
        db.inTransaction(tx -> tx.audit().query(2990L, "user5", 3));
        db.inTransaction(tx -> tx.audit().latest("user6", 3));
        long compiled = auditStatementsCached();
        // other times, users and limits: the binary search's probes and the windows are new
        // values for the statements compiled above, not new statements
        for (long since = 100; since < 3000; since += 700) {
            long s = since;
            db.inTransaction(tx -> tx.audit().query(s, "user" + (s % 20), (int) (s % 7) + 1));
            db.inTransaction(tx -> tx.audit().latest("user" + (s % 19), (int) (s % 5) + 1));
        }
        assertEquals(compiled, auditStatementsCached());
    }

    private static long auditStatementsCached() throws Exception {
        try (Connection c = TestDatabases.jdbc(config); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM SYSCS_DIAG.STATEMENT_CACHE"
                        + " WHERE SQL_TEXT LIKE '%FROM AUDIT_EVENT%' AND VALID")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void filteredPagesBindEveryValue() {
        // an apostrophe in a value must neither break nor change the SQL
        assertEquals(0, db.inTransaction(tx -> tx.jobs().page("o'brien", JobState.QUEUED, "it's", 0, 10)).size());
        String p = plan(tx -> tx.jobs().page("user3", JobState.FAILED, "a.p", 5000, 10));
        assertFalse(p.contains("user3"), p);
        assertFalse(p.contains("5000"), p);
        assertFalse(p.contains("Table Scan"), p);
    }

    @Test
    void verifyReadsPrimaryKeyRanges() {
        String p = plan(tx -> assertTrue(tx.audit().verify().ok()));
        assertFalse(p.contains("Table Scan"), p);
        assertFalse(p.contains("Sort ResultSet"), p);
    }

    @Test
    void findByIdUsesThePrimaryKey() {
        long id = db.inTransaction(tx -> tx.jobs().page(null, null, null, 0, 1)).get(0).getId();
        String p = plan(tx -> assertTrue(tx.jobs().find(id).isPresent()));
        assertFalse(p.contains("Table Scan"), p);
        assertTrue(List.of(p.split("\n")).stream().anyMatch(l -> l.contains("Index Scan")), p);
    }
}
