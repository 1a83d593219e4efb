package idle.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures of docs/SCALING.md: claims per second with 1, 2 and 4 simulated coordinators
 * sharing one database (every claim and every end durable, with its event row), the CPU per
 * job, and the takeover times of a chaos run. Skipped in {@code ./idle test}; run with
 * <pre>
 * mvn -B -ntp -pl server -am test -Dtest=ClusterBench -Didle.bench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * adding {@code -Didle.cluster.pgUrl=jdbc:postgresql://...} and the driver
 * ({@code -Dmaven.test.additionalClasspath=.../postgresql-42.x.jar}) for PostgreSQL, and
 * {@code -Didle.cluster.pgPid=PID} (the postmaster's) to report the server's CPU per job too.
 * Sizes: {@code -Didle.bench.jobs=N} (default 20,000).
 */
@EnabledIfSystemProperty(named = "idle.bench", matches = "true")
class ClusterBench {
    @TempDir
    Path dir;

    @Test
    void figures() throws Exception {
        int jobs = Integer.getInteger("idle.bench.jobs", 20_000);
        String pg = System.getProperty("idle.cluster.pgUrl");
        String derby = "jdbc:derby:" + dir.resolve("bench").toAbsolutePath();
        ClusterDb db = pg == null
                ? new ClusterDb(Dialect.DERBY, () -> DriverManager.getConnection(derby + ";create=true"))
                : new ClusterDb(Dialect.POSTGRESQL, () -> DriverManager.getConnection(pg));
        long pgPid = Long.getLong("idle.cluster.pgPid", -1);
        System.out.println("[cluster-bench] " + db.dialect() + ", load average at start: " + loadAverage());
        for (int n : new int[] {1, 2, 4}) {
            long before = serverCpuMillis(pgPid);
            ClusterRuns.Rate r = ClusterRuns.rate(db, n, jobs, 32);
            long server = serverCpuMillis(pgPid) - before;
            assertEquals(List.of(), r.history().violations());
            assertEquals(jobs, r.history().finishes());
            System.out.println("[cluster-bench] " + r + (pgPid < 0 ? ""
                    : String.format(", PostgreSQL server CPU %.0f us/job", server * 1000.0 / jobs)));
        }
        ClusterRuns.Chaos chaos = ClusterRuns.chaos(db, 4, jobs, 9, 1_000, 23);
        assertEquals(List.of(), chaos.history().violations());
        assertEquals(0, chaos.lateAccepted());
        System.out.println("[cluster-bench] " + chaos);
        System.out.println("[cluster-bench] load average at end: " + loadAverage());
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    /** CPU (user + system, ms) of a process and its children, live and ended, from /proc; 0 without a pid. */
    private static long serverCpuMillis(long pid) throws IOException {
        if (pid < 0) {
            return 0;
        }
        long ticks = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long self = Long.parseLong(p.getFileName().toString());
                    if (self == pid) { // its own and its ended (reaped) backends'
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12])
                                + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                    } else if (Long.parseLong(f[1]) == pid) { // backends still running
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        }
        return ticks * 10; // USER_HZ is 100 on Linux
    }
}
