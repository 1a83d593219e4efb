package idle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.fault.Accounts;
import idle.fault.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A server's start must not read its history (figure 5 of the benchmark: start-up with a million
 * jobs in history): a real server process starts on a data directory with 20,000 finished jobs
 * and three queued ones, with Derby logging the plan of every statement it runs
 * ({@code derby.language.logQueryPlan}), and no statement may see or visit more rows than a
 * catalog lookup does, far fewer than the history holds, while the three queued jobs are found.
 */
class StartReadsNoHistoryTest {
    private static final int HISTORY = 20_000;
    /** Most rows a start's statement may look at: catalog queries see a few dozen. */
    private static final int MAX_ROWS = 500;
    private static final Pattern ROWS = Pattern.compile(
            "(Rows seen|Number of rows visited|Rows seen from the left|Rows seen from the right)"
                    + "\\s*=\\s*(\\d+)");

    @Test
    void startReadsTheOpenJobsNotTheHistory() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "start-history-");
        try {
            startsOn(dir);
        } finally {
            BenchMain.deleteTree(dir);
            Files.deleteIfExists(dir.resolveSibling(dir.getFileName() + ".stderr"));
        }
    }

    private static void startsOn(Path dir) throws Exception {
        Accounts.create(dir, BenchContext.BENCH_ITERATIONS, BenchContext.PASSWORD,
                List.of("runner0"));
        StartBench.fill(dir.resolve("db"), HISTORY);
        addQueued(dir.resolve("db"), 3);
        Files.deleteIfExists(dir.resolve("derby.log"));
        try (ServerProcess s = ServerProcess.fromClasspath(dir, "127.0.0.1", 0,
                List.of("-Dderby.language.logQueryPlan=true"))) {
            assertTrue(s.isAlive());
        }
        String log = Files.readString(dir.resolve("derby.log"));
        String err = Files.readString(dir.resolveSibling(dir.getFileName() + ".stderr"));
        assertTrue(err.contains("recovery of 3 queued jobs"), err);
        assertTrue(log.contains("STATE_OPEN"), "the recovery query's plan is in the log");
        Matcher m = ROWS.matcher(log);
        List<String> big = new ArrayList<>();
        int counted = 0;
        while (m.find()) {
            counted++;
            if (Long.parseLong(m.group(2)) > MAX_ROWS) {
                big.add(m.group());
            }
        }
        assertTrue(counted > 10, "plans were logged: " + counted);
        assertEquals(List.of(), big, "a statement at start read more than " + MAX_ROWS
                + " rows of a " + HISTORY + "-job history");
    }

    private static void addQueued(Path db, int n) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:derby:" + db);
                Statement st = c.createStatement()) {
            for (int i = 0; i < n; i++) {
                st.executeUpdate("INSERT INTO JOB (ID, OWNER_NAME, SCRIPT_NAME, SCRIPT_SHA256, "
                        + "SCRIPT, ARGS, INPUT_NAMES, OUTPUT_FILES, JOB_STATE, ATTEMPTS, "
                        + "SUBMITTED_AT, STARTED_AT, FINISHED_AT, OUTPUT_BYTES, CPU_MILLIS, "
                        + "MIN_PYTHON, MEMORY_MB, TIMEOUT_SECONDS, STATE_OPEN) VALUES (NEXT VALUE "
                        + "FOR JOB_SEQ, 'runner0', 'q.py', 'x', CAST(X'00' AS BLOB), '', '', '', 'QUEUED', 0, 1, "
                        + "0, 0, 0, 0, '', 0, 0, 1)");
            }
        }
        try {
            DriverManager.getConnection("jdbc:derby:" + db + ";shutdown=true").close();
        } catch (SQLException expected) {
            // a clean shutdown is reported as an exception
        }
    }
}
