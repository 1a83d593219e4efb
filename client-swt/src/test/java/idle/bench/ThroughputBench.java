package idle.bench;

import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.db.entity.Job;
import idle.db.testing.PostgresCluster;
import idle.fault.Accounts;
import idle.fault.ServerProcess;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ResourceUse;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figure 2, coordinator throughput: jobs per second the server accepts, stores durably,
 * dispatches, collects results for and records, with simulated lenders ({@link RawPeer}, the
 * benchmark's test double: real protocol, no python) that answer each EXF at once with SCF and
 * FIN, and simulated runners that keep a window of jobs in flight. Baseline: durable Derby
 * inserts of the same job rows the way the server writes them (jobs-db's batched JDBC
 * {@code insert}) in batches of the server's group commit size, in this JVM, in the same run.
 */
final class ThroughputBench {
    static final int LENDERS = 32;
    static final int SLOTS = 4;
    static final int RUNNERS = 8;
    static final int WINDOW = 256;
    static final byte[] SCRIPT = "print('hello')\n".getBytes(StandardCharsets.UTF_8);

    private final BenchContext ctx;
    /** The PostgreSQL cluster the server stores in, or null for its embedded Derby. */
    private final PostgresCluster postgres;
    /** The data directory the run left behind (its history feeds the start figure). */
    Path dataDir;
    long jobsStored;

    ThroughputBench(BenchContext ctx) {
        this(ctx, null);
    }

    /** The same run with the server on {@code postgres} (TLS only, no verified row). */
    ThroughputBench(BenchContext ctx, PostgresCluster postgres) {
        this.ctx = ctx;
        this.postgres = postgres;
    }

    /**
     * The figure over TLS (the default path users run, with the client's pinning: a throwaway
     * pin file in the scratch directory), and the same run in plaintext beside it (INFO).
     */
    List<Figure> run() throws Exception {
        // -Didle.bench.throughputJobs=N: another size (e.g. while profiling)
        int jobs = Integer.getInteger("idle.bench.throughputJobs", ctx.quick ? 3_000 : 100_000);
        // A server past its first tens of thousands of jobs: after a warm-up of 20,000 the C2
        // compiler still compiled 200-400 methods a second and took about a fifth of the
        // server's CPU during the measured run (after 60,000: under 100 a second, falling).
        // The notes say what it still took. -Didle.bench.throughputWarmUp=N for another one.
        int warm = Math.min(jobs, Integer.getInteger("idle.bench.throughputWarmUp",
                ctx.quick ? 300 : 60_000));
        double insertRate = baseline(ctx.quick ? 5_000 : 50_000);
        if (postgres != null) {
            Measured pg = measure(true, jobs, warm, false);
            String ratio = String.format(Locale.ROOT, "%.0f %%", 100 * pg.rate / insertRate);
            return List.of(new Figure("throughput-postgres",
                    "coordinator throughput on PostgreSQL (durable, TLS)", pg.rate, "jobs/s",
                    insertRate, "durable PostgreSQL inserts/s of the same rows", ratio,
                    ">= 5,000 jobs/s", pg.rate >= 5_000 ? "PASS" : "MISS", pg.notes));
        }
        Measured tls = measure(true, jobs, warm, true);
        dataDir = tls.dataDir;
        jobsStored = tls.stored;
        List<Figure> figures = new ArrayList<>(List.of(figure(tls, insertRate),
                new Figure("throughput-verify2", "coordinator throughput, --verify 2 (durable, TLS)",
                        tls.verifiedRate, "jobs/s", tls.rate, "plain jobs/s, same run",
                        String.format(Locale.ROOT, "%.0f %%", 100 * tls.verifiedRate / tls.rate),
                        "(none: reported beside the plain rate)", "INFO", tls.verifiedNotes)));
        if (!Boolean.getBoolean("idle.bench.tlsOnly")) {
            figures.add(figure(measure(false, jobs, warm, false), insertRate));
        }
        return figures;
    }

    /**
     * One measured run: the rate, the store writer's CPU per job, the notes; with the rate and
     * notes of a second run of {@code --verify 2} jobs on the same server when one was made.
     */
    private record Measured(boolean tls, double rate, double writerMicrosPerJob, String notes,
            Path dataDir, long stored, double verifiedRate, String verifiedNotes) {
    }

    private static Figure figure(Measured m, double insertRate) {
        String ratio = String.format(Locale.ROOT, "%.0f %%", 100 * m.rate / insertRate);
        return m.tls ? new Figure("throughput", "coordinator throughput (durable, TLS)", m.rate,
                "jobs/s", insertRate, "durable Derby inserts/s of the same rows", ratio,
                ">= 5,000 jobs/s; writer <= 150 us/job",
                m.rate >= 5_000 && m.writerMicrosPerJob <= 150 ? "PASS" : "MISS", m.notes)
                : new Figure("throughput-plaintext", "coordinator throughput (durable, plaintext)",
                        m.rate, "jobs/s", insertRate, "durable Derby inserts/s of the same rows",
                        ratio, "-", "INFO", m.notes);
    }

    private Measured measure(boolean tls, int jobs, int warm, boolean withVerified)
            throws Exception {
        Path dir = ctx.dir(postgres != null ? "throughput-pg"
                : tls ? "throughput" : "throughput-plaintext");
        Path data = dir.resolve("server");
        DatabaseConfig db = postgres == null ? DatabaseConfig.embedded(data.resolve("db"))
                : postgres.newDatabase("throughput");
        Path pins = tls ? dir.resolve("known_servers") : null;
        List<String> users = new ArrayList<>();
        for (int i = 0; i < LENDERS; i++) {
            users.add("lender" + i);
        }
        for (int i = 0; i < RUNNERS; i++) {
            users.add("runner" + i);
        }
        Accounts.create(data, db, BenchContext.BENCH_ITERATIONS, BenchContext.PASSWORD, users);
        String label = tls ? "throughput (TLS)" : "throughput (plaintext)";
        try (ServerProcess server = ServerProcess.fromJar(ctx.serverJar, data, "127.0.0.1", 0,
                BenchContext.SERVER_JVM, tls, serverDatabaseArgs(db))) {
            List<RawPeer> lenders = new ArrayList<>();
            AtomicLong executed = new AtomicLong();
            for (int i = 0; i < LENDERS; i++) {
                RawPeer p = RawPeer.login(server.host(), server.port(), null, "lender" + i,
                        BenchContext.PASSWORD, pins);
                p.handler((peer, f, m) -> {
                    if (m instanceof Message.Execute x) {
                        try {
                            peer.write(f.requestId(), new Message.Success(new Result.Empty()));
                            peer.write(f.requestId(), new Message.Finished(x.jobId(), x.attempt(),
                                    new JobOutcome.Succeeded(), new ResourceUse(1, 1, 0, 0)));
                            peer.flush();
                            executed.incrementAndGet();
                        } catch (IOException e) {
                            // the run will notice missing results
                        }
                    }
                });
                Message r = p.request(new Message.MakeLender(new LenderCapabilities("3.11.2", 4,
                        8192, SLOTS, 60, 1024, 600, 64, "bench double (no python)", false)), 30_000);
                if (!(r instanceof Message.Success)) {
                    throw new IOException("MML refused: " + r);
                }
                lenders.add(p);
            }
            List<RawPeer> runners = new ArrayList<>();
            for (int i = 0; i < RUNNERS; i++) {
                runners.add(RawPeer.login(server.host(), server.port(), null, "runner" + i,
                        BenchContext.PASSWORD, pins));
            }
            ctx.log(label + ": warm-up with " + warm + " jobs");
            submitAll(runners, warm, Long.MAX_VALUE, 1);
            ctx.log(label + ": " + jobs + " jobs, " + LENDERS + " simulated lenders x " + SLOTS
                    + " slots, " + RUNNERS + " runners x " + WINDOW + " in flight");
            double cpu0 = writerCpuMillis(server);
            long proc0 = server.cpuMillis();
            long jit0 = RelayBench.compilerCpuMillis(server.pid());
            long clients0 = benchCpuNanos();
            long pgCpu0 = postgres == null ? 0 : postgres.cpuMillis();
            long t0 = System.nanoTime();
            long cap = TimeUnit.SECONDS.toNanos(ctx.quick ? 20 : 180);
            int[] writerBusy = new int[2];
            Thread sampler = Thread.ofPlatform().daemon().start(() -> sampleWriter(server,
                    writerBusy));
            Outcome o = submitAll(runners, jobs, t0 + cap, 1);
            sampler.interrupt();
            sampler.join(10_000);
            double secs = (System.nanoTime() - t0) / 1e9;
            double writerCpu = writerCpuMillis(server) - cpu0;
            double serverCpu = server.cpuMillis() - proc0;
            double jitCpu = RelayBench.compilerCpuMillis(server.pid()) - jit0;
            double clientsCpu = (benchCpuNanos() - clients0) / 1e6;
            double rate = o.completed / secs;
            double writerMicros = writerCpu * 1000 / Math.max(1, o.completed);
            String notes = String.format(Locale.ROOT, "%s; %d jobs in %.1f s%s; submit->SCF p50"
                    + " %.1f ms p99 %.1f ms; submit->terminal JST p50 %.1f ms p99 %.1f ms; the"
                    + " server's store writer (group commit) used %.0f us of CPU per job and was"
                    + " busy in %d of %d thread dumps taken during the run; the whole server"
                    + " process %.0f us of CPU per job (both less load-sensitive than the rate;"
                    + " its JIT compiler threads %.0f us of it, after a warm-up of %d jobs),"
                    + " the benchmark's JVM (the simulated runners and lenders) %.0f us;"
                    + " simulated lenders and runners are the benchmark's test double (real"
                    + " protocol%s, no python); baseline: durable row inserts in JDBC batches of"
                    + " 500 (jobs-db's insert, as the server writes job rows)",
                    tls ? "TLS 1.3, the client's pinning" : "plaintext (--insecure-plaintext)",
                    o.completed, secs,
                    o.completed < jobs ? " (of " + jobs + ": submitting stopped at the time cap of "
                            + cap / 1_000_000_000 + " s, the jobs in flight finished)" : "",
                    Stats.percentile(o.accept, 50), Stats.percentile(o.accept, 99),
                    Stats.percentile(o.done, 50), Stats.percentile(o.done, 99), writerMicros,
                    writerBusy[0], writerBusy[1], serverCpu * 1000 / Math.max(1, o.completed),
                    jitCpu * 1000 / Math.max(1, o.completed), warm,
                    clientsCpu * 1000 / Math.max(1, o.completed),
                    tls ? " over TLS" : "");
            if (postgres != null) {
                notes += String.format(Locale.ROOT, "; the PostgreSQL server used %.0f us of CPU"
                        + " per job", (postgres.cpuMillis() - pgCpu0) * 1000.0
                        / Math.max(1, o.completed));
            }
            double verifiedRate = 0;
            String verifiedNotes = "";
            if (withVerified) {
                // the same with --verify 2: each job runs on two lenders of different accounts
                // (the simulated lenders are 32 accounts) and its end waits for both results
                int vjobs = ctx.quick ? 1_000 : 20_000;
                ctx.log(label + ": " + vjobs + " jobs with --verify 2");
                double vcpu0 = writerCpuMillis(server);
                long v0 = System.nanoTime();
                Outcome v = submitAll(runners, vjobs, v0 + cap, 2);
                double vsecs = (System.nanoTime() - v0) / 1e9;
                double vWriterCpu = writerCpuMillis(server) - vcpu0;
                verifiedRate = v.completed / vsecs;
                verifiedNotes = String.format(Locale.ROOT, "%d verified jobs (2 replicas each) in"
                        + " %.1f s, %.2f of the plain rate; submit->terminal JST p50 %.1f ms p99"
                        + " %.1f ms; the store writer used %.0f us of CPU per verified job (%.0f"
                        + " per plain job): 2 replica rows, 3 ends, a vote and lender records per"
                        + " job", v.completed, vsecs, verifiedRate / rate,
                        Stats.percentile(v.done, 50), Stats.percentile(v.done, 99),
                        vWriterCpu * 1000 / Math.max(1, v.completed), writerMicros);
            }
            for (RawPeer p : runners) {
                p.close();
            }
            for (RawPeer p : lenders) {
                p.close();
            }
            return new Measured(tls, rate, writerMicros, notes, data, warm + o.completed,
                    verifiedRate, verifiedNotes);
        }
    }

    private record Outcome(int completed, double[] accept, double[] done) {
    }

    /** Every runner submits its share with a window in flight; returns once every job ended. */
    private Outcome submitAll(List<RawPeer> runners, int jobs, long deadlineNanos, int verify)
            throws Exception {
        java.util.concurrent.atomic.AtomicInteger submitted =
                new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ended =
                new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch all = new CountDownLatch(jobs);
        double[] accept = new double[jobs];
        double[] done = new double[jobs];
        AtomicLong failures = new AtomicLong();
        String sha = Sha256.hex(SCRIPT);
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < runners.size(); r++) {
            RawPeer p = runners.get(r);
            int from = jobs * r / runners.size();
            int to = jobs * (r + 1) / runners.size();
            Semaphore window = new Semaphore(WINDOW);
            // request id -> index of the job; ids are dense per runner, so an array does
            int[] index = new int[to - from + 16];
            long[] sent = new long[to - from + 16];
            int base = p.nextId();
            p.handler((peer, f, m) -> {
                int slot = f.requestId() - base;
                if (slot < 0 || slot >= index.length) {
                    return;
                }
                int j = index[slot];
                try {
                    switch (m) {
                        case Message.Success s when s.result() instanceof Result.JobAccepted ->
                            accept[j] = (System.nanoTime() - sent[slot]) / 1e6;
                        case Message.JobEvent e -> {
                            peer.send(f.requestId(), new Message.Ack(0));
                            if (e.job().state().isTerminal()) {
                                done[j] = (System.nanoTime() - sent[slot]) / 1e6;
                                ended.incrementAndGet();
                                window.release();
                                all.countDown();
                            }
                        }
                        case Message.Output o -> peer.send(f.requestId(), new Message.Ack(o.seq()));
                        case Message.NoLenders n -> {
                            failures.incrementAndGet();
                            window.release();
                            all.countDown();
                        }
                        case Message.Failure x -> {
                            failures.incrementAndGet();
                            window.release();
                            all.countDown();
                        }
                        default -> { }
                    }
                } catch (IOException e) {
                    // noticed as missing completions
                }
            });
            threads.add(Thread.ofPlatform().name("bench-runner-" + r).start(() -> {
                try {
                    for (int i = from; i < to; i++) {
                        window.acquire();
                        if (System.nanoTime() > deadlineNanos) {
                            window.release();
                            // not submitted: count it off so the wait below ends
                            for (int k = i; k < to; k++) {
                                all.countDown();
                            }
                            break;
                        }
                        submitted.incrementAndGet();
                        int id = p.nextId();
                        int slot = id - base;
                        index[slot] = i;
                        sent[slot] = System.nanoTime();
                        p.send(id, new Message.RunScript("job" + i + ".py", SCRIPT, sha, List.of(),
                                List.of(), JobNeeds.NONE, WaitPolicy.QUEUE, verify,
                                idle.shared.model.ComparePart.ALL));
                    }
                } catch (InterruptedException | IOException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        if (!all.await(ctx.quick ? 300 : 900, TimeUnit.SECONDS)) {
            throw new IllegalStateException(all.getCount() + " of " + jobs
                    + " jobs did not end in time");
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " submissions were refused");
        }
        int n = ended.get();
        double[][] t = trim(accept, done, n);
        return new Outcome(n, t[0], t[1]);
    }

    /**
     * Takes a thread dump of the server every second and counts how often its store-writer
     * thread was working (not waiting for changes to write): the share of time the database
     * side is the bottleneck.
     */
    private static void sampleWriter(ServerProcess server, int[] busy) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1_000); // the sampling period, not a synchronisation
                String dump = server.threadDump();
                int at = dump.indexOf("\"idle-store-writer\"");
                if (at < 0) {
                    continue;
                }
                int end = dump.indexOf("\n\n", at);
                String stack = dump.substring(at, end < 0 ? dump.length() : end);
                busy[1]++;
                if (!stack.contains("LinkedBlockingQueue.take")) {
                    busy[0]++;
                }
            }
        } catch (InterruptedException e) {
            // done
        } catch (IOException e) {
            // the server ended
        }
    }

    /** The CPU time the server's store-writer thread used so far ("cpu=" of a thread dump). */
    private static double writerCpuMillis(ServerProcess server) throws Exception {
        String dump = server.threadDump();
        int at = dump.indexOf("\"idle-store-writer\"");
        int cpu = at < 0 ? -1 : dump.indexOf(" cpu=", at);
        int ms = cpu < 0 ? -1 : dump.indexOf("ms", cpu);
        if (ms < 0) {
            return Double.NaN;
        }
        return Double.parseDouble(dump.substring(cpu + 5, ms));
    }

    /** CPU time this JVM (the simulated clients, the bench's own threads) used so far, in ns. */
    private static long benchCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The latencies of the jobs that ran (skipped ones stay 0 and are dropped). */
    private static double[][] trim(double[] accept, double[] done, int n) {
        double[] a = new double[n];
        double[] d = new double[n];
        int k = 0;
        for (int i = 0; i < done.length && k < n; i++) {
            if (done[i] > 0) {
                a[k] = accept[i];
                d[k] = done[i];
                k++;
            }
        }
        return new double[][] {Arrays.copyOf(a, k), Arrays.copyOf(d, k)};
    }

    /**
     * Durable inserts of the same job rows through jobs-db's batched JDBC {@code insert} (what
     * the server's store writer uses), in batches of the server's group-commit size (500), into
     * a fresh embedded Derby: the rate the disk and Derby allow for the rows the coordinator
     * writes.
     */
    double baseline(int rows) throws Exception {
        Path dir = ctx.dir(postgres == null ? "derby-baseline" : "postgres-baseline");
        String sha = Sha256.hex(SCRIPT);
        try (Database db = Database.open(postgres == null ? DatabaseConfig.embedded(dir.resolve("db"))
                : postgres.newDatabase("baseline"))) {
            insert(db, 1_000, sha); // warm-up
            long t0 = System.nanoTime();
            insert(db, rows, sha);
            return rows / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** The server's options for {@code db}: none for the embedded default, else URL, user, password file. */
    private List<String> serverDatabaseArgs(DatabaseConfig db) throws IOException {
        if (postgres == null) {
            return List.of();
        }
        Path pw = ctx.dir("postgres-password").resolve("db.pass");
        Files.writeString(pw, db.password() + "\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        return List.of("--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password-file",
                pw.toString());
    }

    static void insert(Database db, int rows, String sha) {
        for (int base = 0; base < rows; base += 500) {
            int n = Math.min(500, rows - base);
            int b = base;
            db.useTransaction(tx -> {
                for (int i = b; i < b + n; i++) {
                    Job j = new Job("runner" + (i % RUNNERS), "job" + i + ".py", sha, SCRIPT,
                            List.of(), List.of(), JobNeeds.NONE, System.currentTimeMillis());
                    j.setState(idle.shared.model.JobState.SUCCEEDED);
                    tx.jobs().insert(j);
                }
            });
        }
    }
}
