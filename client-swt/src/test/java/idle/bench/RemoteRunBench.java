package idle.bench;

import idle.client.lender.JobLog;
import idle.client.lender.LenderAgent;
import idle.client.lender.LenderListener;
import idle.client.lender.LenderSettings;
import idle.client.lender.PythonInterpreter;
import idle.client.lender.RunResult;
import idle.client.lender.RunSpec;
import idle.client.lender.Sandbox;
import idle.client.lender.SandboxRun;
import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobListener;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.fault.Accounts;
import idle.fault.ServerProcess;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.StreamKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Figure 1, remote-run overhead: a script that prints one line, submitted by the real runner
 * service, run by the real {@link LenderAgent} in the real sandbox on this machine through a real
 * server process, until its output and terminal state are back at the runner; against the same
 * script run directly in the same {@link Sandbox} in this JVM. Local and remote runs alternate so
 * load changes hit both alike. Median and p99 of each; the figure is the ratio of medians.
 *
 * <p>The goal row measures warm processes: server, lender agent and runner first run
 * {@code remoteWarmUp} jobs each, as a server and its clients have after their first minutes of
 * work. A fresh JVM runs the job path in the interpreter and C1 code for its first few hundred
 * jobs, which roughly doubles what IDLE adds; that is reported beside it, from the first
 * {@value #COLD_RUNS} jobs of the fresh processes (alternating with local runs as well).
 */
final class RemoteRunBench {
    static final String SCRIPT = "print('hello from IDLE')\n";
    static final String EXPECTED = "hello from IDLE\n";
    /** The first jobs of fresh processes, reported as the cold figure. */
    static final int COLD_RUNS = 30;
    private final BenchContext ctx;

    RemoteRunBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The figure over TLS (the default path users run, with the client's pinning: a throwaway
     * pin file in the scratch directory), and plaintext beside it (INFO): two servers, each with
     * its lender agent and runner; local, TLS and plaintext runs alternate. For A/B comparisons
     * {@code -Didle.bench.remoteRuns=N} and {@code -Didle.bench.remoteWarmUp=N} set the number of
     * measured and warm-up runs of each kind.
     */
    List<Figure> run() throws Exception {
        int runs = Integer.getInteger("idle.bench.remoteRuns", ctx.quick ? 25 : 200);
        int warm = Math.max(COLD_RUNS,
                Integer.getInteger("idle.bench.remoteWarmUp", ctx.quick ? COLD_RUNS : 600));
        Path dir = ctx.dir("remote-run");
        LenderSettings settings = LenderSettings.defaults(dir.resolve("lender")).withMaxJobs(1)
                .withLimits(10, 256, 30, 16).withWorkRoot(dir.resolve("work"));
        java.nio.file.Files.createDirectories(dir.resolve("work"));
        Sandbox sandbox = Sandbox.create(settings, PythonInterpreter.locate(null));
        if (!sandbox.isSafe()) {
            throw new IllegalStateException("no bubblewrap here: the figure needs the sandbox");
        }
        List<Double> local = new ArrayList<>();
        List<Double> coldLocal = new ArrayList<>();
        Remote tls = new Remote(true);
        Remote plain = new Remote(false);
        Remote coldTls = new Remote(true);
        try (Remote.Running t = tls.start(dir, sandbox, settings);
                Remote.Running p = plain.start(dir, sandbox, settings)) {
            ctx.log("remote-run: " + warm + " warm-up (the first " + COLD_RUNS + " measured as"
                    + " the cold figure) + " + runs + " runs each, alternating local, TLS and"
                    + " plaintext");
            for (int i = 0; i < warm + runs; i++) {
                boolean cold = i < COLD_RUNS;
                boolean measured = i >= warm;
                double l = cold || measured ? local(sandbox, i) : 0;
                double[] rt = remote(t.runner(), i);
                double[] rp = remote(p.runner(), i);
                if (cold) {
                    coldLocal.add(l);
                    coldTls.add(rt);
                } else if (measured) {
                    local.add(l);
                    tls.add(rt);
                    plain.add(rp);
                }
            }
        }
        double lm = Stats.median(local);
        return List.of(tls.figure(runs, warm, local, lm), plain.figure(runs, warm, local, lm),
                coldTls.coldFigure(coldLocal));
    }

    /** One server (TLS or plaintext) with its lender agent and runner, and what it measured. */
    private final class Remote {
        final boolean tls;
        final List<Double> total = new ArrayList<>();
        final List<Double> accepted = new ArrayList<>();

        Remote(boolean tls) {
            this.tls = tls;
        }

        record Running(ServerProcess server, ServerConnection lc, LenderAgent agent,
                ServerConnection rc, RunnerService runner) implements AutoCloseable {
            @Override
            public void close() {
                agent.close();
                rc.close();
                lc.close();
                server.close();
            }
        }

        Running start(Path dir, Sandbox sandbox, LenderSettings settings) throws Exception {
            String name = tls ? "tls" : "plaintext";
            Path data = dir.resolve("server-" + name);
            Accounts.create(data, BenchContext.BENCH_ITERATIONS, BenchContext.PASSWORD,
                    List.of("runner", "lender"));
            ConnectionOptions options = ConnectionOptions.defaults()
                    .withKnownServers(dir.resolve("known_servers-" + name))
                    .withInsecurePlaintext(!tls);
            ServerProcess server = ServerProcess.fromJar(ctx.serverJar, data, "127.0.0.1", 0,
                    BenchContext.SERVER_JVM, tls);
            try {
                ServerAddress addr = ServerAddress.parse(server.address());
                ServerConnection lc = ServerConnection.connect(addr, new Credentials("lender",
                        BenchContext.PASSWORD.toCharArray()), options, null);
                LenderAgent agent = new LenderAgent(lc, sandbox, new JobLog(
                        settings.dataDir().resolve(name)), new LenderListener() {
                        });
                agent.start().get(30, TimeUnit.SECONDS);
                ServerConnection rc = ServerConnection.connect(addr, new Credentials("runner",
                        BenchContext.PASSWORD.toCharArray()), options, null);
                return new Running(server, lc, agent, rc, new RunnerService(rc));
            } catch (Exception | Error e) {
                server.close();
                throw e;
            }
        }

        void add(double[] r) {
            total.add(r[0]);
            accepted.add(r[1]);
        }

        /** The first jobs of fresh processes over TLS (INFO): what a just-started server adds. */
        Figure coldFigure(List<Double> local) {
            double lm = Stats.median(local);
            double rm = Stats.median(total);
            String notes = String.format(Locale.ROOT, "the first %d jobs of a fresh server, lender"
                    + " agent and runner (JIT not yet warm), TLS; remote p50 %.1f ms p99 %.1f ms;"
                    + " local p50 %.1f ms; IDLE adds %.1f ms at the median", total.size(), rm,
                    Stats.percentile(total, 99), lm, rm - lm);
            return new Figure("remote-run-cold", "remote-run, first " + total.size()
                    + " jobs of fresh processes (median, TLS)", rm, "ms", lm,
                    "ms same sandbox locally", String.format(Locale.ROOT, "x%.2f", rm / lm), "-",
                    "INFO", notes);
        }

        Figure figure(int runs, int warm, List<Double> local, double lm) {
            double rm = Stats.median(total);
            double ratio = rm / lm;
            String notes = String.format(Locale.ROOT, "%s; %d runs each after %d warm-up jobs; remote p50"
                    + " %.1f ms p99 %.1f ms; local p50 %.1f ms p99 %.1f ms; IDLE adds %.1f ms at the median"
                    + " (submit, durable commits, EXF, OUT, FIN, JST); submit to SCF (the job"
                    + " durably accepted) p50 %.1f ms; real server process, real LenderAgent and"
                    + " sandbox, real RunnerService",
                    tls ? "TLS 1.3 with the client's pinning (a pin file in the scratch directory)"
                            : "plaintext (--insecure-plaintext)", runs, warm, rm,
                    Stats.percentile(total, 99), lm, Stats.percentile(local, 99), rm - lm,
                    Stats.median(accepted));
            String r = String.format(Locale.ROOT, "x%.2f", ratio);
            return tls ? new Figure("remote-run", "remote-run of a print script (median, TLS)", rm,
                    "ms", lm, "ms same sandbox locally", r, "<= x1.25",
                    ratio <= 1.25 ? "PASS" : "MISS", notes)
                    : new Figure("remote-run-plaintext",
                            "remote-run of a print script (median, plaintext)", rm, "ms", lm,
                            "ms same sandbox locally", r, "-", "INFO", notes);
        }
    }

    private static double local(Sandbox sandbox, int i) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        SandboxRun run = sandbox.start(RunSpec.of("local-" + i, "hello.py", SCRIPT),
                (stream, data) -> {
                    synchronized (out) {
                        out.write(data);
                    }
                });
        RunResult r = run.await(30, TimeUnit.SECONDS);
        double ms = (System.nanoTime() - t0) / 1e6;
        run.cleanup();
        if (r == null || !(r.outcome() instanceof JobOutcome.Succeeded)
                || !out.toString(StandardCharsets.UTF_8).equals(EXPECTED)) {
            throw new IllegalStateException("local run " + i + " failed: "
                    + (r == null ? "timeout" : r.outcome()) + ", output " + out);
        }
        return ms;
    }

    /** One remote run: {total ms, submit-to-SCF ms}. */
    private static double[] remote(RunnerService runner, int i) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        FollowedJob job = runner.submit(JobRequest.of("hello.py", SCRIPT), new JobListener() {
            @Override
            public void output(long jobId, StreamKind stream, byte[] data) {
                synchronized (out) {
                    out.writeBytes(data);
                }
            }
        }).get(30, TimeUnit.SECONDS);
        double acceptedMs = (System.nanoTime() - t0) / 1e6;
        JobSummary s = job.completion().get(60, TimeUnit.SECONDS);
        double ms = (System.nanoTime() - t0) / 1e6;
        if (s.state() != JobState.SUCCEEDED
                || !out.toString(StandardCharsets.UTF_8).equals(EXPECTED)) {
            throw new IllegalStateException("remote run " + i + " ended " + s + ", output " + out);
        }
        return new double[] {ms, acceptedMs};
    }
}
