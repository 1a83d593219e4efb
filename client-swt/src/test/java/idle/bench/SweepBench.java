package idle.bench;

import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedSweep;
import idle.client.runner.SweepRequest;
import idle.client.runner.SweepService;
import idle.fault.Accounts;
import idle.fault.ServerProcess;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ResourceUse;
import idle.shared.model.SweepTask;
import idle.shared.model.WaitPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sweeps (issue 15): how fast the server accepts a sweep of 10,000 tasks (from the real
 * {@link SweepService}'s submit to the answer of its last batch: every task durably stored and
 * queued), and the tasks per second completed with simulated lenders ({@link RawPeer}, the
 * benchmark's test double: real protocol, no python; each EXF is answered at once with SCF and
 * FIN), until the runner heard every task end. Baseline: the time durable Derby inserts of the
 * same number of job rows take the way the server writes them ({@link ThroughputBench#baseline}).
 */
final class SweepBench {
    static final int LENDERS = 32;
    static final int SLOTS = 4;
    static final int TASKS = 10_000;
    static final String PASSWORD = BenchContext.PASSWORD;

    private final BenchContext ctx;

    SweepBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<Figure> run() throws Exception {
        double insertRate = new ThroughputBench(ctx).baseline(TASKS);
        double baselineMs = TASKS * 1000.0 / insertRate;
        Path data = ctx.dir("sweeps").resolve("server");
        List<String> users = new ArrayList<>(List.of("runner"));
        for (int i = 0; i < LENDERS; i++) {
            users.add("lender" + i);
        }
        Accounts.create(data, BenchContext.BENCH_ITERATIONS, PASSWORD, users);
        double acceptMs;
        double rate;
        String notes;
        try (ServerProcess server = ServerProcess.fromJar(ctx.serverJar, data, "127.0.0.1", 0,
                BenchContext.SERVER_JVM)) {
            AtomicLong executed = new AtomicLong();
            List<RawPeer> lenders = new ArrayList<>();
            for (int i = 0; i < LENDERS; i++) {
                lenders.add(lender(server, "lender" + i, executed));
            }
            ServerConnection c = ServerConnection.connect(ServerAddress.parse(server.address()),
                    new Credentials("runner", PASSWORD.toCharArray()), ConnectionOptions.defaults()
                            .withInsecurePlaintext(true).withMaxBackoff(Duration.ofMillis(300)),
                    null);
            try (c) {
                SweepService sweeps = new SweepService(c);
                ctx.log("sweeps: warm-up with a sweep of 1,000 tasks");
                one(sweeps, 1_000);
                ctx.log("sweeps: " + TASKS + " tasks, " + LENDERS + " simulated lenders x " + SLOTS
                        + " slots");
                long e0 = executed.get();
                double[] r = one(sweeps, TASKS);
                acceptMs = r[0];
                rate = TASKS / (r[1] / 1000);
                notes = String.format(Locale.ROOT, "a sweep of %,d tasks: accepted (every task "
                        + "durably stored and queued, %d SWT batches of at most %,d) in %.0f ms, "
                        + "the first task ended %.0f ms after the submission, all ended in %.0f ms "
                        + "(%,d EXF answered by the simulated lenders, the benchmark's test double:"
                        + " real protocol, no python); baseline: %,.0f durable job-row inserts/s "
                        + "in JDBC batches of 500, i.e. %.0f ms for %,d rows", TASKS,
                        (TASKS + 1_999) / 2_000, 2_000, acceptMs, r[2], r[1],
                        executed.get() - e0, insertRate, baselineMs, TASKS);
            }
            for (RawPeer p : lenders) {
                p.close();
            }
        }
        List<Figure> out = new ArrayList<>();
        out.add(new Figure("sweep-accept", "sweep of 10,000 tasks accepted", acceptMs, "ms",
                baselineMs, "durable Derby inserts of 10,000 job rows",
                String.format(Locale.ROOT, "x%.2f", acceptMs / baselineMs), "< 2,000 ms",
                acceptMs < 2_000 ? "PASS" : "MISS", notes));
        out.add(new Figure("sweep-rate", "sweep tasks completed (simulated lenders)", rate,
                "tasks/s", insertRate, "durable Derby inserts/s of the same rows",
                String.format(Locale.ROOT, "%.0f %%", 100 * rate / insertRate), "-",
                "INFO", "see the row above"));
        return out;
    }

    /** One sweep of {@code n} tasks: {accept ms, all ended ms, first ended ms}. */
    private double[] one(SweepService sweeps, int n) throws Exception {
        byte[] script = "print('task')\n".getBytes(StandardCharsets.UTF_8);
        List<SweepTask> tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tasks.add(SweepTask.of(i, List.of("--alpha", Double.toString(i / 1000.0))));
        }
        SweepRequest r = new SweepRequest("bench.py", script, List.of(), tasks, JobNeeds.NONE,
                WaitPolicy.QUEUE);
        long[] firstEnd = {0};
        long t0 = System.nanoTime();
        FollowedSweep s = sweeps.submit(r, new idle.client.runner.SweepListener() {
            @Override
            public void taskEnded(JobSummary t) {
                if (firstEnd[0] == 0) {
                    firstEnd[0] = System.nanoTime();
                }
            }
        }).get(60, TimeUnit.SECONDS);
        int held = s.uploaded().get(120, TimeUnit.SECONDS);
        long accepted = System.nanoTime();
        Map<Integer, JobSummary> end = s.completion().get(600, TimeUnit.SECONDS);
        long done = System.nanoTime();
        if (held != n || end.size() != n || end.values().stream()
                .anyMatch(t -> t.state() != JobState.SUCCEEDED)) {
            throw new IOException("the sweep of " + n + " ended with " + end.size() + " tasks, "
                    + held + " held");
        }
        return new double[] {(accepted - t0) / 1e6, (done - t0) / 1e6,
            (firstEnd[0] - t0) / 1e6};
    }

    private static RawPeer lender(ServerProcess server, String user, AtomicLong executed)
            throws IOException {
        RawPeer p = RawPeer.login(server.host(), server.port(), null, user, PASSWORD);
        p.handler((peer, f, m) -> {
            if (m instanceof Message.Execute x) {
                try {
                    peer.write(f.requestId(), new Message.Success(new Result.Empty()));
                    peer.write(f.requestId(), new Message.Finished(x.jobId(), x.attempt(),
                            new JobOutcome.Succeeded(), new ResourceUse(1, 1, 0, 0)));
                    peer.flush();
                    executed.incrementAndGet();
                } catch (IOException e) {
                    // the run notices the missing result
                }
            }
        });
        Message r = p.request(new Message.MakeLender(new LenderCapabilities("3.11.2", 4, 8192,
                SLOTS, 60, 1024, 600, 64, "bench double (no python)", false)), 30_000);
        if (!(r instanceof Message.Success)) {
            throw new IOException("MML refused: " + r);
        }
        return p;
    }
}
