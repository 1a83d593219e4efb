package idle.bench;

import idle.fault.ChildJava;
import idle.fault.ServerProcess;
import idle.shared.protocol.Sha256;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Figure 5, server start: from launching {@code java -jar idle-server-*-all.jar server --data DIR
 * --port 0} to its ready line, on a data directory with 1,000,000 finished jobs in history
 * (100,000 with {@code --quick}: a start reads no history, see StartReadsNoHistoryTest, and a
 * million rows take a minute or two to write the first time); a cached directory built once with
 * plain JDBC batches, {@code target/bench-cache/history-1m} (or {@code -100k}).
 * Baseline: a trivial JVM printing one line, in the same run. Median of several starts, each
 * with the start-up cache {@code ./idle server} keeps (trained by one start before them).
 */
final class StartBench {
    static final int HISTORY = 1_000_000;
    static final int QUICK_HISTORY = 100_000;
    private final BenchContext ctx;

    StartBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<Figure> run(Path dataDir, long jobsThere) throws Exception {
        int history = ctx.quick ? QUICK_HISTORY : HISTORY;
        if (dataDir == null || jobsThere < history) {
            // A quick run makes fewer jobs than that: use (and keep) a cached long history.
            dataDir = ctx.work.resolveSibling("bench-cache").resolve(ctx.quick ? "history-100k"
                    : "history-1m");
            // "-v2": caches written before the fill computed index statistics are rebuilt
            if (!java.nio.file.Files.exists(dataDir.resolve("history-complete-v2"))) {
                BenchMain.deleteTree(dataDir);
                ctx.log("start: building a data directory with " + history + " finished jobs in "
                        + dataDir + " (kept for later runs)");
                idle.fault.Accounts.create(dataDir, BenchContext.BENCH_ITERATIONS,
                        BenchContext.PASSWORD, List.of("runner0"));
                long f0 = System.nanoTime();
                fill(dataDir.resolve("db"), history);
                ctx.log(String.format(Locale.ROOT, "start: %,d jobs written in %.1f s", history,
                        (System.nanoTime() - f0) / 1e9));
                java.nio.file.Files.writeString(dataDir.resolve("history-complete-v2"), "yes\n");
            }
        }
        int runs = ctx.quick ? 3 : 5;
        List<String> cacheFlags = trainStartCache(dataDir);
        List<Double> server = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> trivial = new ArrayList<>();
        List<String> inside = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            trivial.add(trivialJvm());
            // With TLS, the default: its key and context are part of every real start.
            try (ServerProcess s = ServerProcess.fromJar(ctx.serverJar, dataDir, "127.0.0.1", 0,
                    cacheFlags, true)) {
                server.add(s.readyNanos() / 1e6);
                cpu.add((double) s.cpuMillis());
            }
            inside.add(ownWords(dataDir));
        }
        double med = Stats.median(server);
        double base = Stats.median(trivial);
        String title = "server start to ready line, " + String.format(Locale.ROOT, "%,d", history)
                + " jobs in history, TLS";
        return List.of(new Figure("server-start", title, med, "ms", base, "ms trivial JVM start",
                String.format(Locale.ROOT, "x%.1f", med / base), "< 1,000 ms",
                med < 1_000 ? "PASS" : "MISS", String.format(Locale.ROOT, "TLS on (the "
                        + "default); median of %d starts (all: %s ms; CPU time used by the "
                        + "server process until ready: %s ms; the server's own account of each: "
                        + "%s); java %s -jar %s server --data DIR --port 0", runs, round(server),
                        round(cpu), String.join("; ", inside), cacheFlags.get(0).replaceAll(
                                "=.*/", "=.../"), ctx.serverJar.getFileName())));
    }

    /**
     * Adds {@code n} finished jobs with plain JDBC batches (ids from the same sequence JPA uses),
     * as jobs-db's LargeHistoryTest does (a million in about two minutes), then updates the JOB
     * table's index statistics.
     */
    static void fill(Path db, int n) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:derby:" + db);
                PreparedStatement ps = c.prepareStatement("INSERT INTO JOB (ID, OWNER_NAME, "
                        + "SCRIPT_NAME, SCRIPT_SHA256, SCRIPT, ARGS, INPUT_NAMES, OUTPUT_FILES, "
                        + "JOB_STATE, ATTEMPTS, SUBMITTED_AT, STARTED_AT, FINISHED_AT, "
                        + "OUTPUT_BYTES, CPU_MILLIS, MIN_PYTHON, MEMORY_MB, TIMEOUT_SECONDS, STATE_OPEN)"
                        + " VALUES (NEXT VALUE FOR JOB_SEQ, ?, ?, ?, ?, '', '', '', 'SUCCEEDED', 1, ?, ?, ?,"
                        + " 6, 1, '', 0, 0, 0)")) {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            String sha = Sha256.hex(ThroughputBench.SCRIPT);
            for (int i = 0; i < n; i++) {
                ps.setString(1, "runner" + (i % ThroughputBench.RUNNERS));
                ps.setString(2, "history" + i + ".py");
                ps.setString(3, sha);
                ps.setBytes(4, ThroughputBench.SCRIPT);
                ps.setLong(5, now);
                ps.setLong(6, now);
                ps.setLong(7, now);
                ps.addBatch();
                if (i % 5_000 == 4_999 || i == n - 1) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            // Index statistics, as a server that has run for a while has them: without, Derby's
            // statistics daemon scans the new rows' indexes in the background at the next start
            // (and at every start that stops before it finished), which is not the start's work.
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("CALL SYSCS_UTIL.SYSCS_UPDATE_STATISTICS('APP', 'JOB', NULL)");
            }
            c.commit();
        }
        try {
            DriverManager.getConnection("jdbc:derby:" + db + ";shutdown=true").close();
        } catch (java.sql.SQLException expected) {
            // Derby reports a clean shutdown as an exception
        }
    }

    /**
     * The start-up cache {@code ./idle server} uses (see {@code server_cache_flags} in the
     * launcher), trained by one unmeasured start and stop, as every start after a server's
     * first has it: an ahead-of-time cache on JDK 25 and later, a dynamic class-data-sharing
     * archive before. Returns the flags of the measured starts.
     */
    private List<String> trainStartCache(Path dataDir) throws Exception {
        boolean aot = Runtime.version().feature() >= 25;
        Path cache = ctx.work.resolve(aot ? "server.aot" : "server.jsa");
        java.nio.file.Files.deleteIfExists(cache);
        List<String> training = aot
                ? List.of("-XX:AOTCacheOutput=" + cache, "-Xlog:aot=off", "-Xlog:cds=off")
                : List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + cache,
                        "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
        long t0 = System.nanoTime();
        try (ServerProcess s = ServerProcess.fromJar(ctx.serverJar, dataDir, "127.0.0.1", 0,
                training, true)) {
            s.stop(); // the cache is written as the JVM exits
        }
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!java.nio.file.Files.exists(cache) || java.nio.file.Files.size(cache) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the training start wrote no cache at " + cache);
            }
            Thread.sleep(50); // polling a file another process writes, with a deadline
        }
        ctx.log(String.format(Locale.ROOT, "start: %s written by a training start in %.1f s",
                cache.getFileName(), (System.nanoTime() - t0) / 1e9));
        return aot ? List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off")
                : List.of("-XX:SharedArchiveFile=" + cache, "-Xlog:cds=off",
                        "-Xlog:cds+dynamic=off");
    }

    /** What the server logged of its start ("started in N ms: database N ms, recovery ..."). */
    private static String ownWords(Path dataDir) {
        try {
            String err = java.nio.file.Files.readString(dataDir.resolveSibling(
                    dataDir.getFileName() + ".stderr"));
            var m = java.util.regex.Pattern.compile("started in (\\d+ ms: database \\d+ ms, "
                    + "recovery of \\d+ queued jobs \\d+ ms)").matcher(err);
            return m.find() ? m.group(1) : "?";
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static String round(List<Double> v) {
        List<String> s = new ArrayList<>();
        for (double d : v) {
            s.add(String.format(Locale.ROOT, "%.0f", d));
        }
        return String.join(", ", s);
    }

    private static double trivialJvm() throws Exception {
        List<String> cmd = List.of(ChildJava.javaBin(), "-cp",
                ChildJava.root().resolve("client-swt/target/test-classes").toString(),
                "idle.bench.TrivialMain");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            r.readLine();
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        p.waitFor();
        return ms;
    }
}
