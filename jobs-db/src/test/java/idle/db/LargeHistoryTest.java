package idle.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.Job;
import idle.shared.model.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server with a long history must start fast and find its open jobs fast. Fills an on-disk
 * database with {@code -Didle.db.largeJobs=N} jobs (default 100,000): the first 20,000 through JPA
 * in group commits of 100 (the measured insert rate), the rest with plain JDBC batches to keep the
 * build short. Prints the figures.
 */
class LargeHistoryTest {
    private static final int JOBS = Integer.getInteger("idle.db.largeJobs", 100_000);
    private static final int THROUGH_JPA = Math.min(JOBS, 20_000);
    private static final int PER_COMMIT = 100;

    private static JobState stateOf(int i) {
        // every 1000th job is still queued, the next one running; the rest finished
        return i % 1000 == 0 ? JobState.QUEUED : i % 1000 == 1 ? JobState.RUNNING : JobState.SUCCEEDED;
    }

    @Test
    void reopensQuicklyAndFindsOpenJobsFastWithALongHistory() throws Exception {
        DatabaseConfig config = TestDatabases.freshOnDisk();
        long maxIdBefore;
        try (Database db = Database.open(config)) {
            long t1 = System.nanoTime();
            for (int base = 0; base < THROUGH_JPA; base += PER_COMMIT) {
                int b = base;
                db.useTransaction(tx -> {
                    for (int i = b; i < b + PER_COMMIT; i++) {
                        Job j = TestDatabases.job("user" + (i % 50), "job" + i + ".py");
                        j.setState(stateOf(i));
                        tx.jobs().add(j);
                    }
                });
            }
            long t2 = System.nanoTime();
            System.out.printf("jobs-db: %d jobs added through JPA at %.0f rows/s (%d per commit)%n",
                    THROUGH_JPA, THROUGH_JPA / ((t2 - t1) / 1e9), PER_COMMIT);
            fillWithJdbc(config, THROUGH_JPA, JOBS);
            maxIdBefore = db.inTransaction(tx -> tx.jobs().page(null, null, null, 0, 1)).get(0).getId();
        }

        long t3 = System.nanoTime();
        try (Database db = Database.open(config)) {
            long t4 = System.nanoTime();
            List<Job> open = db.inTransaction(tx -> tx.jobs().inStates(EnumSet.of(JobState.QUEUED, JobState.RUNNING)));
            long t5 = System.nanoTime();
            db.inTransaction(tx -> tx.jobs().inStates(EnumSet.of(JobState.QUEUED, JobState.RUNNING)));
            long t6 = System.nanoTime();
            List<Job> adminPage = db.inTransaction(tx -> tx.jobs().page(null, null, null, 0, 50));
            List<Job> ownPage = db.inTransaction(tx -> tx.jobs().page("user7", null, null, 0, 50));
            List<Job> deepPage = db.inTransaction(tx -> tx.jobs().page("user7", null, null, maxIdBefore / 2, 50));
            long t7 = System.nanoTime();
            Map<JobState, Long> counts = db.inTransaction(tx -> tx.jobs().countByState());
            long t8 = System.nanoTime();
            long newId = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("user1", "new.py")).getId());
            System.out.printf("jobs-db: reopen with %d jobs %.0f ms; inStates %.0f ms first, %.0f ms again (%d jobs);"
                    + " 3 pages %.0f ms; countByState %.0f ms%n",
                    JOBS, (t4 - t3) / 1e6, (t5 - t4) / 1e6, (t6 - t5) / 1e6, open.size(),
                    (t7 - t6) / 1e6, (t8 - t7) / 1e6);

            assertEquals(2 * ((JOBS + 999) / 1000), open.size());
            open.forEach(j -> assertTrue(j.getState() == JobState.QUEUED || j.getState() == JobState.RUNNING));
            assertEquals(50, adminPage.size());
            assertEquals(maxIdBefore, adminPage.get(0).getId());
            assertTrue(adminPage.get(0).getId() > adminPage.get(49).getId());
            assertEquals(50, ownPage.size());
            ownPage.forEach(j -> assertEquals("user7", j.getOwnerName()));
            assertTrue(deepPage.get(0).getId() < maxIdBefore / 2);
            assertEquals((long) JOBS, counts.values().stream().mapToLong(Long::longValue).sum());
            assertTrue(newId > maxIdBefore, "ids keep growing after a restart");
            assertTrue((t4 - t3) / 1e9 < 2.0, "the server must be ready in < 2 s");
        }
    }

    /** Adds jobs from..to-1 in big JDBC batches, taking ids from the same sequence as JPA. */
    private static void fillWithJdbc(DatabaseConfig config, int from, int to) throws Exception {
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement ps = c.prepareStatement("INSERT INTO JOB (ID, OWNER_NAME, SCRIPT_NAME,"
                        + " SCRIPT_SHA256, SCRIPT, ARGS, INPUT_NAMES, OUTPUT_FILES, JOB_STATE, ATTEMPTS,"
                        + " SUBMITTED_AT, STARTED_AT, FINISHED_AT, OUTPUT_BYTES, CPU_MILLIS, MIN_PYTHON,"
                        + " MEMORY_MB, TIMEOUT_SECONDS, STATE_OPEN) VALUES (NEXT VALUE FOR JOB_SEQ, ?, ?, ?, ?, '3:--n1:3',"
                        + " '8:data.csv', '', ?, 1, 1, 2, 3, 0, 0, '', 0, 0, ?)")) {
            c.setAutoCommit(false);
            for (int i = from; i < to; i++) {
                ps.setString(1, "user" + (i % 50));
                ps.setString(2, "job" + i + ".py");
                ps.setString(3, "ab".repeat(32));
                ps.setBytes(4, ("print(" + i + ")").getBytes());
                ps.setString(5, stateOf(i).name());
                ps.setShort(6, (short) (stateOf(i).isTerminal() ? 0 : 1));
                ps.addBatch();
                if (i % 2000 == 1999 || i == to - 1) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            // what Derby's statistics daemon does on its own after a while
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("CALL SYSCS_UTIL.SYSCS_UPDATE_STATISTICS('APP', 'JOB', NULL)");
            }
            c.commit();
        }
    }
}
