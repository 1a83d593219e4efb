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
 */
final class RemoteRunBench {
    static final String SCRIPT = "print('hello from IDLE')\n";
    static final String EXPECTED = "hello from IDLE\n";
    private final BenchContext ctx;

    RemoteRunBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<Figure> run() throws Exception {
        int runs = ctx.quick ? 25 : 200;
        int warm = ctx.quick ? 5 : 30;
        Path dir = ctx.dir("remote-run");
        Path data = dir.resolve("server");
        Accounts.create(data, BenchContext.BENCH_ITERATIONS, BenchContext.PASSWORD,
                List.of("runner", "lender"));
        LenderSettings settings = LenderSettings.defaults(dir.resolve("lender")).withMaxJobs(1)
                .withLimits(10, 256, 30, 16).withWorkRoot(dir.resolve("work"));
        java.nio.file.Files.createDirectories(dir.resolve("work"));
        Sandbox sandbox = Sandbox.create(settings, PythonInterpreter.locate(null));
        if (!sandbox.isSafe()) {
            throw new IllegalStateException("no bubblewrap here: the figure needs the sandbox");
        }
        List<Double> local = new ArrayList<>();
        List<Double> remote = new ArrayList<>();
        List<Double> accepted = new ArrayList<>();
        try (ServerProcess server = ServerProcess.fromJar(ctx.serverJar, data, "127.0.0.1", 0,
                BenchContext.SERVER_JVM)) {
            ServerAddress addr = ServerAddress.parse(server.address());
            ServerConnection lc = ServerConnection.connect(addr, new Credentials("lender",
                    BenchContext.PASSWORD.toCharArray()), ConnectionOptions.defaults().withInsecurePlaintext(true), null);
            LenderAgent agent = new LenderAgent(lc, sandbox, new JobLog(settings.dataDir()),
                    new LenderListener() {
                    });
            agent.start().get(30, TimeUnit.SECONDS);
            ServerConnection rc = ServerConnection.connect(addr, new Credentials("runner",
                    BenchContext.PASSWORD.toCharArray()), ConnectionOptions.defaults().withInsecurePlaintext(true), null);
            RunnerService runner = new RunnerService(rc);
            ctx.log("remote-run: " + warm + " warm-up + " + runs + " runs each, alternating");
            for (int i = 0; i < warm + runs; i++) {
                double l = local(sandbox, i);
                double[] r = remote(runner, i);
                if (i >= warm) {
                    local.add(l);
                    remote.add(r[0]);
                    accepted.add(r[1]);
                }
            }
            agent.close();
            rc.close();
            lc.close();
        }
        double lm = Stats.median(local);
        double rm = Stats.median(remote);
        double ratio = rm / lm;
        return List.of(new Figure("remote-run", "remote-run of a print script (median)", rm, "ms",
                lm, "ms same sandbox locally", String.format(Locale.ROOT, "x%.2f", ratio),
                "<= x1.25", ratio <= 1.25 ? "PASS" : "MISS", String.format(Locale.ROOT,
                        "%d runs each; remote p50 %.1f ms p99 %.1f ms; local p50 %.1f ms p99 %.1f"
                        + " ms; IDLE adds %.1f ms at the median (submit, durable commits, EXF, "
                        + "OUT, FIN, JST); submit to SCF (the job durably accepted) p50 %.1f ms; "
                        + "real server process, real LenderAgent and sandbox, real RunnerService",
                        runs, rm, Stats.percentile(remote, 99), lm, Stats.percentile(local, 99),
                        rm - lm, Stats.median(accepted))));
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
