package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.net.ConnectException;
import idle.client.net.RequestException;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.fault.TcpProxy;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobDetail;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with a real server in this JVM, real lender agents running real python3 in the
 * sandbox, and runners over real sockets. The first test runs while nobody lends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class RunnerLenderE2eTest {
    @TempDir
    static Path dir;
    Fixture fx;
    RunnerService alice;
    RunnerService bob;
    Fixture.Lender lender1;
    Fixture.Lender lender2;

    @BeforeAll
    void start() throws Exception {
        fx = new Fixture(dir);
        alice = fx.runner("alice");
        bob = fx.runner("bob");
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    @Test
    @Order(1)
    void loginSucceedsAndFailsClearly() throws Exception {
        assertEquals("alice", alice.connection().user());
        ConnectException bad = assertThrows(ConnectException.class, () -> ServerConnection.connect(
                idle.client.net.ServerAddress.parse(fx.address()),
                new idle.client.net.Credentials("alice", "wrong".toCharArray()),
                idle.client.net.ConnectionOptions.defaults(), null));
        assertEquals(ConnectException.Reason.BAD_CREDENTIALS, bad.reason());
        assertTrue(bad.getMessage().contains("wrong user name or password"), bad.getMessage());
        ConnectException nobody = assertThrows(ConnectException.class, () -> ServerConnection.connect(
                idle.client.net.ServerAddress.parse(fx.address()),
                new idle.client.net.Credentials("mallory", "x".toCharArray()),
                idle.client.net.ConnectionOptions.defaults(), null));
        assertEquals(ConnectException.Reason.BAD_CREDENTIALS, nobody.reason());
        fx.server.accounts().disable("carol");
        ConnectException disabled = assertThrows(ConnectException.class, () -> fx.connect("carol"));
        assertEquals(ConnectException.Reason.ACCOUNT_DISABLED, disabled.reason());
        assertTrue(disabled.getMessage().contains("disabled"), disabled.getMessage());
    }

    @Test
    @Order(2)
    void withNobodyLendingTheServerAnswersNlaWithAReason() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> alice.submit(JobRequest.of("a.py", "print(1)\n"), null).get(10, TimeUnit.SECONDS));
        RequestException re = assertInstanceOf(RequestException.class, e.getCause());
        assertEquals(RequestException.Type.NO_LENDERS, re.type());
        assertFalse(re.reason().isBlank(), "NLA carries a reason");
        assertTrue(alice.history(null, null, 0, 10).get().jobs().isEmpty(), "nothing was stored");
    }

    @Test
    @Order(3)
    void twentyScriptsAcrossTwoLendersAllComputeTheRightOutput() throws Exception {
        lender1 = fx.lender("lender1", 2);
        lender2 = fx.lender("lender2", 2);
        assertNotEquals(lender1.pseudonym, lender2.pseudonym);
        List<FollowedJob> jobs = new ArrayList<>();
        List<Collector> outs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Collector c = new Collector();
            outs.add(c);
            jobs.add(alice.submit(JobRequest.of("sq" + i + ".py",
                    "import time\ntime.sleep(0.2)\nprint(" + i + " * " + i + ")\n"), c)
                    .get(10, TimeUnit.SECONDS));
        }
        Set<String> lenders = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            JobSummary end = jobs.get(i).completion().get(60, TimeUnit.SECONDS);
            assertEquals(JobState.SUCCEEDED, end.state(), end.toString());
            assertEquals((i * i) + "\n", outs.get(i).stdout());
            assertEquals(1, outs.get(i).finished.get(), "reported once");
            lenders.add(end.lender());
        }
        assertEquals(Set.of(lender1.pseudonym, lender2.pseudonym), lenders, "both lenders served");
        // The lender side never learns the runner: its log lines name job, script and hash only.
        for (String line : lender1.log) {
            assertFalse(line.contains("alice"), line);
        }
    }

    @Test
    @Order(4)
    void outputStreamsLiveBeforeTheScriptEnds() throws Exception {
        Collector c = new Collector();
        long t0 = System.nanoTime();
        FollowedJob job = alice.submit(JobRequest.of("live.py",
                "import time\nprint('first', flush=True)\ntime.sleep(2)\nprint('second')\n"), c).get();
        assertTrue(c.awaitStdout("first\n", 20_000));
        long firstAt = System.nanoTime();
        assertFalse(job.completion().isDone(), "the first line arrived while the script still ran");
        assertFalse(c.stdout().contains("second"));
        JobSummary end = job.completion().get(30, TimeUnit.SECONDS);
        long endAt = System.nanoTime();
        assertEquals(JobState.SUCCEEDED, end.state());
        assertEquals("first\nsecond\n", c.stdout());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(endAt - firstAt) >= 1500,
                "first line came " + TimeUnit.NANOSECONDS.toMillis(endAt - firstAt) + " ms before the end");
        assertTrue(endAt > t0);
    }

    @Test
    @Order(5)
    void stderrStaysApartAndTheExitCodeIsReported() throws Exception {
        Collector c = new Collector();
        FollowedJob job = alice.submit(JobRequest.of("err.py", """
                import sys
                print('to out')
                print('to err', file=sys.stderr)
                print('more out')
                sys.exit(3)
                """), c).get();
        JobSummary end = job.completion().get(30, TimeUnit.SECONDS);
        assertEquals(JobState.FAILED, end.state());
        assertEquals(3, end.exitCode());
        assertEquals("to out\nmore out\n", c.stdout());
        assertEquals("to err\n", c.stderr());
    }

    @Test
    @Order(6)
    void outputFilesComeBackIntactWithInputsAndArguments() throws Exception {
        byte[] input = new byte[300_000];
        new Random(42).nextBytes(input);
        JobRequest r = new JobRequest("files.py", """
                import sys, os
                data = open('in.bin', 'rb').read()
                os.makedirs('out', exist_ok=True)
                open('out/reversed.bin', 'wb').write(data[::-1])
                open('args.txt', 'w').write(' '.join(sys.argv[1:]))
                print(len(data))
                """.getBytes(), List.of("x", "y z"), List.of(new InputFile("in.bin", input,
                Sha256.hex(input))), JobNeeds.NONE, WaitPolicy.QUEUE);
        Collector c = new Collector();
        FollowedJob job = alice.submit(r, c).get();
        JobSummary end = job.completion().get(30, TimeUnit.SECONDS);
        assertEquals(JobState.SUCCEEDED, end.state(), c.stderr());
        assertEquals("300000\n", c.stdout());
        JobDetail d = alice.details(end.jobId()).get();
        assertEquals(Set.of("args.txt", "out/reversed.bin"),
                new HashSet<>(d.files().stream().map(f -> f.name()).toList()), "script and input are not returned");
        Path target = dir.resolve("fetched");
        List<Path> saved = alice.fetchAllFiles(end.jobId(), target).get(30, TimeUnit.SECONDS);
        assertEquals(2, saved.size());
        byte[] rev = Files.readAllBytes(target.resolve("out/reversed.bin"));
        for (int i = 0; i < input.length; i++) {
            if (rev[i] != input[input.length - 1 - i]) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
        assertEquals("x y z", Files.readString(target.resolve("args.txt")));
        // each file was announced while the job ran, before its end, as the lender sent it
        assertEquals(new HashSet<>(d.files()), new HashSet<>(c.announced));
        assertEquals(0, c.announcedAfterFinish.get());
        ExecutionException missing = assertThrows(ExecutionException.class,
                () -> alice.fetchFile(end.jobId(), "nope.txt", target.resolve("nope")).get());
        assertEquals(FailureKind.NOT_FOUND,
                assertInstanceOf(RequestException.class, missing.getCause()).kind());
    }

    @Test
    @Order(6)
    void aFileFetchedAsSoonAsItIsAnnouncedArrivesWhole() throws Exception {
        // the runner asks for the file when its upload begins (cut-through), not after the job
        JobRequest r = new JobRequest("early.py", """
                data = bytes((i * 7 + 3) % 251 for i in range(3 * 1024 * 1024))
                open('big.bin', 'wb').write(data)
                print('written', flush=True)
                """.getBytes(), List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE);
        Path target = dir.resolve("early/big.bin");
        java.util.concurrent.CompletableFuture<idle.shared.model.OutputFileInfo> fetched =
                new java.util.concurrent.CompletableFuture<>();
        Collector c = new Collector() {
            @Override
            public void fileAnnounced(long jobId, idle.shared.model.OutputFileInfo file) {
                super.fileAnnounced(jobId, file);
                alice.fetchFile(jobId, file.name(), target).whenComplete((f, e) -> {
                    if (e != null) {
                        fetched.completeExceptionally(e);
                    } else {
                        fetched.complete(f);
                    }
                });
            }
        };
        FollowedJob job = alice.submit(r, c).get();
        idle.shared.model.OutputFileInfo got = fetched.get(60, TimeUnit.SECONDS);
        JobSummary end = job.completion().get(60, TimeUnit.SECONDS);
        assertEquals(JobState.SUCCEEDED, end.state(), c.stderr());
        byte[] bytes = Files.readAllBytes(target);
        assertEquals(3 * 1024 * 1024, bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != (byte) ((i * 7 + 3) % 251)) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
        assertEquals(Sha256.hex(bytes), got.sha256());
        assertEquals(List.of(got), alice.details(end.jobId()).get().files());
    }

    @Test
    @Order(7)
    void cancelWorksOnAQueuedAndOnARunningJobAndTheLenderGoesOn() throws Exception {
        // Fill all four slots with sleepers, so the next job has to wait in the queue.
        List<FollowedJob> sleepers = new ArrayList<>();
        List<Collector> sc = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Collector c = new Collector();
            sc.add(c);
            sleepers.add(alice.submit(JobRequest.of("sleep" + i + ".py",
                    "import time\nprint('up', flush=True)\ntime.sleep(60)\n"), c).get());
        }
        for (Collector c : sc) {
            assertTrue(c.awaitStdout("up", 30_000), "sleepers run");
        }
        Collector qc = new Collector();
        FollowedJob queued = alice.submit(JobRequest.of("queued.py", "print('never')\n"), qc).get();
        assertEquals(JobState.QUEUED, alice.details(queued.jobId()).get().summary().state());
        alice.cancel(queued.jobId()).get(10, TimeUnit.SECONDS);
        assertEquals(JobState.CANCELLED, queued.completion().get(10, TimeUnit.SECONDS).state());
        assertEquals("", qc.stdout());
        for (FollowedJob s : sleepers) {
            alice.cancel(s.jobId()).get(10, TimeUnit.SECONDS);
        }
        for (FollowedJob s : sleepers) {
            JobSummary end = s.completion().get(20, TimeUnit.SECONDS);
            assertEquals(JobState.CANCELLED, end.state());
        }
        ExecutionException again = assertThrows(ExecutionException.class,
                () -> alice.cancel(queued.jobId()).get(10, TimeUnit.SECONDS));
        assertInstanceOf(RequestException.class, again.getCause());
        // The lenders serve the next job normally.
        Collector c = new Collector();
        FollowedJob next = alice.submit(JobRequest.of("next.py", "print('next')\n"), c).get();
        assertEquals(JobState.SUCCEEDED, next.completion().get(30, TimeUnit.SECONDS).state());
        assertEquals("next\n", c.stdout());
    }

    @Test
    @Order(8)
    void aRunnerNeverSeesAnotherRunnersJobs() throws Exception {
        Collector c = new Collector();
        FollowedJob job = alice.submit(JobRequest.of("mine.py", "print('secret of alice')\n"), c).get();
        long id = job.jobId();
        job.completion().get(30, TimeUnit.SECONDS);
        assertTrue(bob.history(null, null, 0, 100).get().jobs().stream().noneMatch(j -> j.jobId() == id));
        ExecutionException d = assertThrows(ExecutionException.class, () -> bob.details(id).get());
        assertEquals(FailureKind.NOT_FOUND, ((RequestException) d.getCause()).kind());
        ExecutionException cn = assertThrows(ExecutionException.class, () -> bob.cancel(id).get());
        assertEquals(FailureKind.NOT_FOUND, ((RequestException) cn.getCause()).kind());
        Collector spy = new Collector();
        FollowedJob att = bob.attach(id, 0, false, spy);
        assertThrows(ExecutionException.class, () -> att.completion().get(10, TimeUnit.SECONDS));
        assertEquals("", spy.stdout());
        assertThrows(ExecutionException.class,
                () -> bob.fetchFile(id, "x", dir.resolve("bobs")).get(10, TimeUnit.SECONDS));
        assertTrue(alice.history(null, null, 0, 100).get().jobs().stream().anyMatch(j -> j.jobId() == id));
    }

    @Test
    @Order(9)
    void aRunnerThatReconnectsGetsTheWholeOutputOnceAndInOrder() throws Exception {
        try (TcpProxy proxy = new TcpProxy(fx.server.host(), fx.server.port())) {
            RunnerService viaProxy = new RunnerService(fx.connect("alice", proxy.address()));
            Collector c = new Collector();
            FollowedJob job = viaProxy.submit(JobRequest.of("count.py", """
                    import time
                    for i in range(12):
                        print(i, flush=True)
                        time.sleep(0.15)
                    """), c).get();
            assertTrue(c.awaitStdout("2\n", 20_000));
            proxy.cut(); // the network drops under the running job
            JobSummary end = job.completion().get(60, TimeUnit.SECONDS);
            assertEquals(JobState.SUCCEEDED, end.state());
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                expected.append(i).append('\n');
            }
            assertEquals(expected.toString(), c.stdout(), "every line once, in order");
            assertTrue(c.interrupted.get() >= 1 && c.resumed.get() >= 1);
            assertTrue(proxy.accepted() >= 2, "it reconnected");
            // Later, the output can be replayed in full.
            Collector replay = new Collector();
            JobSummary again = alice.attach(job.jobId(), 0, false, replay).completion().get(20, TimeUnit.SECONDS);
            assertEquals(JobState.SUCCEEDED, again.state());
            assertEquals(expected.toString(), replay.stdout());
        }
    }

    @Test
    @Order(10)
    void aLenderKilledMidJobHandsTheJobToAnotherWhichReportsItOnce() throws Exception {
        // Only lender3 (behind a proxy we can cut) lends now.
        lender1.agent.withdraw(true).get(20, TimeUnit.SECONDS);
        lender2.agent.withdraw(true).get(20, TimeUnit.SECONDS);
        Fixture.Lender doomed;
        Collector c = new Collector();
        FollowedJob job;
        try (TcpProxy proxy = new TcpProxy(fx.server.host(), fx.server.port())) {
            doomed = fx.lender("lender3", 1, proxy.address());
            job = alice.submit(JobRequest.of("survivor.py", """
                    import time
                    print('begin', flush=True)
                    time.sleep(1.5)
                    print('end')
                    """), c).get();
            assertTrue(c.awaitStdout("begin", 30_000));
            proxy.close(); // the lender's machine vanishes from the network for good
        }
        // Another lender appears and gets the re-queued job.
        Fixture.Lender rescuer = fx.lender("lender1", 1);
        JobSummary end = job.completion().get(60, TimeUnit.SECONDS);
        assertEquals(JobState.SUCCEEDED, end.state(), end.toString());
        assertEquals(rescuer.pseudonym, end.lender());
        assertTrue(end.attempts() >= 2, "attempts " + end.attempts());
        assertEquals(1, c.finished.get(), "the end is reported once");
        assertEquals("begin\nend\n", c.stdout(), "output of the finished attempt only: " + c.events + " " + c.states);
        assertTrue(c.restarted.get() >= 1);
        assertEquals(1, alice.history(null, "survivor", 0, 10).get().jobs().size());
        doomed.agent.withdraw(true);
    }

    @Test
    @Order(11)
    void megabytesOfOutputArriveCompleteAndInOrder() throws Exception {
        Collector c = new Collector();
        FollowedJob job = alice.submit(JobRequest.of("flood.py", """
                import sys
                w = sys.stdout.write
                for i in range(1_500_000):
                    w('%07d\\n' % i)
                """), c).get();
        JobSummary end = job.completion().get(90, TimeUnit.SECONDS);
        assertEquals(JobState.SUCCEEDED, end.state(), c.stderr());
        StringBuilder expected = new StringBuilder(12_000_000);
        for (int i = 0; i < 1_500_000; i++) {
            expected.append(String.format("%07d%n", i));
        }
        byte[] got;
        synchronized (c) {
            got = c.out.toByteArray();
        }
        assertEquals(12_000_000, got.length);
        assertEquals(Sha256.hex(expected.toString().getBytes()), Sha256.hex(got));
    }
}
