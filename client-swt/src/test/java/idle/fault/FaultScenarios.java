package idle.fault;

import idle.client.net.ConnectException;
import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobListener;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.shared.message.Result;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.PoolStatus;
import idle.shared.model.StreamKind;
import idle.shared.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The fault-injection scenarios, with real processes (server and lenders are child JVMs), real
 * sockets, real Derby, real python3 in the real sandbox. The JUnit tests run them at CI size; the
 * full benchmark runs them larger. Each throws {@link AssertionError} when a job is lost,
 * repeated or its output differs, and returns a one-line summary otherwise.
 */
public final class FaultScenarios {
    public static final String PASSWORD = "fault-password";
    static final Duration LONG = Duration.ofSeconds(120);

    private final Path base;
    private final Consumer<String> log;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** {@code base}: a directory the sandbox user can reach (not a private temp dir). */
    public FaultScenarios(Path base, Consumer<String> log) {
        this.base = base.toAbsolutePath();
        this.log = log;
    }

    // ---- 1: lenders killed mid-job ---------------------------------------------------------

    /**
     * {@code kills} times: a job that prints 30 numbered lines runs on one of three lender
     * processes; once the runner saw a random number of its lines, that lender gets SIGKILL and a
     * new lender process takes its place. Every job must end SUCCEEDED exactly once, with all 30
     * lines of the attempt that finished, live at the runner and replayed from the spool; across
     * the job logs of all lender processes it succeeded once.
     */
    public String lenderKills(int kills, long seed) throws Exception {
        Path dir = base.resolve("lender-kills");
        Path data = dir.resolve("server");
        List<String> users = List.of("runner", "lenderA", "lenderB", "lenderC");
        Accounts.create(data, 1_000, PASSWORD, users);
        Random rnd = new Random(seed);
        int retried = 0;
        try (ServerProcess server = own(ServerProcess.fromClasspath(data, "127.0.0.1", 0,
                List.of()))) {
            RunnerService runner = runner(server.address());
            List<LenderProcess> lenders = new ArrayList<>();
            int serial = 0;
            // Three lenders, so that after a kill a second one is there at once while the
            // replacement process starts.
            for (String u : List.of("lenderA", "lenderB", "lenderC")) {
                lenders.add(lender(dir, u + "-" + serial++, server.address(), u, 1));
            }
            awaitLenders(runner, 3);
            List<Long> ids = new ArrayList<>();
            for (int k = 0; k < kills; k++) {
                awaitLenders(runner, 2);
                int lines = 30;
                String script = "import time\nfor i in range(" + lines + "):\n"
                        + "    print('job " + k + " line', i, flush=True)\n    time.sleep(0.03)\n";
                StringBuilder expect = new StringBuilder();
                for (int i = 0; i < lines; i++) {
                    expect.append("job ").append(k).append(" line ").append(i).append('\n');
                }
                Collector c = new Collector();
                FollowedJob job = runner.submit(JobRequest.of("kill" + k + ".py", script), c)
                        .get(30, TimeUnit.SECONDS);
                ids.add(job.jobId());
                int killAfter = rnd.nextInt(lines - 2);
                Poll.require(() -> c.lines() > killAfter || job.completion().isDone(), LONG,
                        "line " + killAfter + " of job " + job.jobId());
                LenderProcess victim = lenders.stream().filter(l -> l.started(job.jobId()))
                        .findFirst().orElseThrow(() -> new AssertionError("no lender says it "
                                + "started job " + job.jobId()));
                victim.kill();
                lenders.remove(victim);
                String user = victim.name().substring(0, victim.name().indexOf('-'));
                lenders.add(lender(dir, user + "-" + serial++, server.address(), user, 1));
                JobSummary end = job.completion().get(LONG.toSeconds(), TimeUnit.SECONDS);
                check(end.state() == JobState.SUCCEEDED, "job " + job.jobId() + " ended " + end);
                check(c.text().equals(expect.toString()), "job " + job.jobId()
                        + " output differs: " + c.text());
                check(c.finished == 1, "job " + job.jobId() + " finished " + c.finished
                        + " times");
                if (end.attempts() > 1) {
                    retried++;
                }
                check(replay(runner, job.jobId()).equals(expect.toString()),
                        "the spool of job " + job.jobId() + " differs");
            }
            Result.JobPage page = runner.history(null, null, 0, 10_000).get(30, TimeUnit.SECONDS);
            check(page.jobs().size() == kills, "the server has " + page.jobs().size()
                    + " jobs for " + kills + " submissions");
            for (JobSummary s : page.jobs()) {
                check(s.state() == JobState.SUCCEEDED && ids.contains(s.jobId()),
                        "job " + s.jobId() + " is " + s.state());
            }
            Map<Long, Integer> succeededRuns = succeededRuns(dir);
            for (long id : ids) {
                check(succeededRuns.getOrDefault(id, 0) == 1, "job " + id + " succeeded "
                        + succeededRuns.getOrDefault(id, 0) + " times in the lenders' job logs");
            }
            for (LenderProcess l : lenders) {
                l.close();
            }
        } finally {
            closeAll();
        }
        String r = kills + " lender processes killed with SIGKILL mid-job; " + kills
                + " jobs succeeded exactly once with full output (" + retried
                + " re-ran on the other lender)";
        log.accept(r);
        return r;
    }

    // ---- 2: the server killed with 1,000 jobs queued ---------------------------------------

    /**
     * {@code jobs} jobs are submitted to a server with two lender processes (3 slots each); when
     * all are accepted and some run, the server gets SIGKILL, then starts again on the same data
     * directory and port. Every job must be there and end SUCCEEDED once with its own output;
     * after a clean stop {@code admin audit --verify} must pass.
     */
    public String serverKill(int jobs) throws Exception {
        Path dir = base.resolve("server-kill");
        Path data = dir.resolve("server");
        Accounts.create(data, 1_000, PASSWORD, List.of("runner", "lenderA", "lenderB"));
        int port = freePort();
        Map<Long, Integer> index = new HashMap<>();
        int queuedAtKill;
        int runningAtKill;
        try {
            ServerProcess first = own(ServerProcess.fromClasspath(data, "127.0.0.1", port,
                    List.of()));
            RunnerService runner = runner(first.address());
            lender(dir, "A", first.address(), "lenderA", 3);
            lender(dir, "B", first.address(), "lenderB", 3);
            awaitLenders(runner, 2);
            List<java.util.concurrent.CompletableFuture<Result.JobAccepted>> accepted =
                    new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                accepted.add(runner.submitDetached(JobRequest.of("sq" + i + ".py",
                        "print(" + i + " * " + i + ")\n")));
            }
            for (int i = 0; i < jobs; i++) {
                index.put(accepted.get(i).get(60, TimeUnit.SECONDS).jobId(), i);
            }
            PoolStatus[] seen = new PoolStatus[1];
            Poll.require(() -> {
                try {
                    seen[0] = runner.pool().get(10, TimeUnit.SECONDS);
                    return seen[0].runningJobs() > 0;
                } catch (Exception e) {
                    return false;
                }
            }, LONG, "a running job");
            PoolStatus before = seen[0];
            queuedAtKill = before.queuedJobs();
            runningAtKill = before.runningJobs();
            first.kill();
            log.accept("server killed with " + queuedAtKill + " queued and " + runningAtKill
                    + " running");
            runner.connection().close();
            ServerProcess second = own(ServerProcess.fromClasspath(data, "127.0.0.1", port,
                    List.of()));
            RunnerService after = runner(second.address());
            Poll.require(() -> {
                try {
                    return after.history(null, null, 0, 10_000).get(30, TimeUnit.SECONDS).jobs()
                            .stream().allMatch(s -> s.state().isTerminal());
                } catch (Exception e) {
                    return false;
                }
            }, Duration.ofSeconds(Math.max(150, jobs / 5)), "every job to end after the restart");
            List<JobSummary> all = after.history(null, null, 0, 10_000).get(30, TimeUnit.SECONDS)
                    .jobs();
            check(all.size() == jobs, "the server has " + all.size() + " jobs, " + jobs
                    + " were accepted");
            for (JobSummary s : all) {
                Integer i = index.get(s.jobId());
                check(i != null, "unknown job " + s.jobId());
                check(s.state() == JobState.SUCCEEDED, "job " + s.jobId() + " ended " + s);
                String out = replay(after, s.jobId());
                check(out.equals((long) i * i + "\n"), "job " + s.jobId() + " printed " + out);
            }
            after.connection().close();
            int code = second.stop();
            check(code == 0 || code == 143, "the restarted server did not stop cleanly: exit "
                    + code);
            String verify = runAdmin(data, "audit", "--verify");
            check(verify.contains("audit chain OK"), "audit --verify said: " + verify);
            String r = jobs + " jobs, server SIGKILLed with " + queuedAtKill + " queued and "
                    + runningAtKill + " running; after the restart all " + jobs
                    + " succeeded once with their output; " + verify.strip();
            log.accept(r);
            return r;
        } finally {
            closeAll();
        }
    }

    // ---- 3: a runner's connection cut mid-stream -------------------------------------------

    /**
     * A job prints {@code lines} numbered lines; the runner follows it through a proxy that is cut
     * {@code cuts} times at random points of the stream. The runner must reconnect, re-attach and
     * end with the whole output byte for byte, each chunk once.
     */
    public String runnerCut(int cuts, int lines, long seed) throws Exception {
        Path dir = base.resolve("runner-cut");
        Path data = dir.resolve("server");
        Accounts.create(data, 1_000, PASSWORD, List.of("runner", "lenderA"));
        Random rnd = new Random(seed);
        try (ServerProcess server = own(ServerProcess.fromClasspath(data, "127.0.0.1", 0,
                List.of()));
                TcpProxy proxy = new TcpProxy(server.host(), server.port())) {
            lender(dir, "A", server.address(), "lenderA", 1);
            RunnerService direct = runner(server.address());
            awaitLenders(direct, 1);
            RunnerService runner = runner(proxy.address());
            String script = "import sys, time\nfor i in range(" + lines + "):\n"
                    + "    sys.stdout.write('%06d the quick brown fox jumps over the lazy dog "
                    + "%s\\n' % (i, 'x' * (i % 50)))\n"
                    + "    if i % 100 == 99:\n        sys.stdout.flush()\n        time.sleep(0.02)\n";
            StringBuilder expect = new StringBuilder();
            for (int i = 0; i < lines; i++) {
                expect.append(String.format("%06d the quick brown fox jumps over the lazy dog %s%n",
                        i, "x".repeat(i % 50)));
            }
            byte[] want = expect.toString().getBytes(StandardCharsets.UTF_8);
            Collector c = new Collector();
            FollowedJob job = runner.submit(JobRequest.of("stream.py", script), c)
                    .get(30, TimeUnit.SECONDS);
            int done = 0;
            for (int k = 0; k < cuts; k++) {
                long at = (long) want.length * (k + 1) / (cuts + 2)
                        + rnd.nextInt(Math.max(1, want.length / (4 * (cuts + 2))));
                if (!Poll.until(() -> c.bytes() >= at || job.completion().isDone(), LONG)
                        || job.completion().isDone()) {
                    break;
                }
                int before = proxy.accepted();
                proxy.cut();
                done++;
                Poll.require(() -> proxy.accepted() > before || job.completion().isDone(), LONG,
                        "the runner to reconnect");
            }
            JobSummary end = job.completion().get(LONG.toSeconds(), TimeUnit.SECONDS);
            check(end.state() == JobState.SUCCEEDED, "the streaming job ended " + end);
            byte[] got = c.raw();
            check(java.util.Arrays.equals(got, want), "the runner received " + got.length
                    + " bytes, expected " + want.length + " (first difference at "
                    + java.util.Arrays.mismatch(got, want) + ")");
            check(done >= 1, "the stream ended before any cut");
            String r = "runner connection cut " + done + " times mid-stream; it re-attached "
                    + "and received all " + want.length + " bytes, byte for byte";
            log.accept(r);
            return r;
        } finally {
            closeAll();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Job id -> how many lender job-log lines (of every lender process) say it succeeded. */
    static Map<Long, Integer> succeededRuns(Path dir) throws IOException {
        Map<Long, Integer> n = new HashMap<>();
        try (var s = java.nio.file.Files.list(dir)) {
            for (Path d : s.filter(p -> p.getFileName().toString().startsWith("lender-")).toList()) {
                Path log = d.resolve("lender-jobs.log");
                if (!java.nio.file.Files.exists(log)) {
                    continue;
                }
                for (String line : java.nio.file.Files.readAllLines(log)) {
                    String[] f = line.split("\t");
                    if (f.length > 5 && f[5].equals("succeeded")) {
                        n.merge(Long.parseLong(f[1]), 1, Integer::sum);
                    }
                }
            }
        }
        return n;
    }

    /** Output of a job as the server's spool replays it (ATT from 0, not following). */
    static String replay(RunnerService runner, long jobId) throws Exception {
        Collector c = new Collector();
        runner.attach(jobId, 0, false, c).completion().get(60, TimeUnit.SECONDS);
        return c.text();
    }

    private LenderProcess lender(Path dir, String name, String address, String user, int slots)
            throws IOException {
        LenderProcess l = LenderProcess.start(name, address, user, PASSWORD, slots,
                dir.resolve("lender-" + name), dir.resolve("work"));
        closeables.add(l);
        return l;
    }

    private RunnerService runner(String address) throws ConnectException {
        ServerConnection c = ServerConnection.connect(ServerAddress.parse(address),
                new Credentials("runner", PASSWORD.toCharArray()),
                ConnectionOptions.defaults().withInsecurePlaintext(true).withMaxBackoff(Duration.ofMillis(300)), null);
        closeables.add(c);
        return new RunnerService(c);
    }

    private static void awaitLenders(RunnerService runner, int n) throws InterruptedException {
        Poll.require(() -> {
            try {
                return runner.pool().get(10, TimeUnit.SECONDS).lendersOnline() >= n;
            } catch (Exception e) {
                return false;
            }
        }, LONG, n + " lenders online");
    }

    private <T extends AutoCloseable> T own(T t) {
        closeables.add(t);
        return t;
    }

    private void closeAll() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        closeables.clear();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String runAdmin(Path data, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("admin", "--data", data.toString()));
        a.addAll(List.of(args));
        Process p = new ProcessBuilder(ChildJava.command(List.of(), "idle.server.ServerMain", a))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return "exit " + p.exitValue() + ": " + out;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** Collects a followed job's output; starts over when the job restarts on another lender. */
    static final class Collector implements JobListener {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        volatile int finished;

        @Override
        public synchronized void output(long jobId, StreamKind stream, byte[] data) {
            out.writeBytes(data);
        }

        @Override
        public synchronized void restarted(JobSummary job) {
            out.reset();
        }

        @Override
        public void finished(JobSummary job) {
            finished++;
        }

        synchronized String text() {
            return out.toString(StandardCharsets.UTF_8);
        }

        synchronized byte[] raw() {
            return out.toByteArray();
        }

        synchronized int bytes() {
            return out.size();
        }

        synchronized int lines() {
            int n = 0;
            for (byte b : out.toByteArray()) {
                if (b == '\n') {
                    n++;
                }
            }
            return n;
        }
    }
}
