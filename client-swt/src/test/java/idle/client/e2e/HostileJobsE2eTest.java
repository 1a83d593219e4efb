package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.lender.LenderSettings;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.Limit;
import idle.shared.testing.Poll;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile scripts submitted by a runner and run by a real lender agent through the real server:
 * each is contained, its job ends with the limit that stopped it, and the lender then serves the
 * next job normally.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class HostileJobsE2eTest {
    @TempDir
    static Path dir;
    Fixture fx;
    RunnerService alice;
    Fixture.Lender lender;

    @BeforeAll
    void start() throws Exception {
        fx = new Fixture(dir);
        alice = fx.runner("alice");
        lender = fx.lender("lender1", fx.address(), LenderSettings.defaults(dir.resolve("lender"))
                .withMaxJobs(1).withLimits(1, 256, 5, 4).withProcessLimits(32, 64)
                .withWorkRoot(Fixture.WORK_ROOT));
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    @AfterEach
    void theLenderServesTheNextJobNormally() throws Exception {
        assertTrue(lender.agent.isLending());
        Collector c = new Collector();
        JobSummary end = run("print('next job fine')\n", c);
        assertEquals(JobState.SUCCEEDED, end.state(), c.stderr());
        assertEquals("next job fine\n", c.stdout());
        // Every working directory is removed once its job is over.
        Poll.require(() -> {
            try (var list = java.nio.file.Files.list(lender.agent.sandbox().workRoot())) {
                return list.noneMatch(p -> p.getFileName().toString().startsWith("job"));
            } catch (java.io.IOException e) {
                return false;
            }
        }, Fixture.WAIT, "the work directories to be removed");
    }

    JobSummary run(String script, Collector c, String... args) throws Exception {
        FollowedJob job = alice.submit(JobRequest.of("hostile.py", script).withArgs(List.of(args)), c)
                .get(20, TimeUnit.SECONDS);
        return job.completion().get(60, TimeUnit.SECONDS);
    }

    @Test
    void networkIncludingTheServersOwnPortIsUnreachable() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("""
                import socket, sys
                for host, port in [('127.0.0.1', int(sys.argv[1])), ('1.1.1.1', 443)]:
                    try:
                        socket.create_connection((host, port), timeout=2)
                        print('CONNECTED', host, port)
                    except OSError:
                        print('blocked', host, port)
                """, c, Integer.toString(fx.server.port()));
        assertEquals(JobState.SUCCEEDED, end.state(), c.stderr());
        assertEquals("blocked 127.0.0.1 " + fx.server.port() + "\nblocked 1.1.1.1 443\n", c.stdout());
    }

    @Test
    void theLendersHomeAndTheProjectAreInvisible() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("""
                import os, sys
                for p in sys.argv[1:]:
                    print('SEEN' if os.path.exists(p) else 'hidden', p)
                """, c, System.getProperty("user.home"), Path.of("").toAbsolutePath().toString(),
                fx.dir.toString(), "/etc/passwd", "/root");
        assertEquals(JobState.SUCCEEDED, end.state(), c.stderr());
        assertFalse(c.stdout().contains("SEEN"), c.stdout());
    }

    @Test
    void writingOutsideTheWorkDirFails() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("""
                for p in ['/usr/x', '/x', '/work/../y', '/dev/z']:
                    try:
                        open(p, 'w').write('x'); print('WROTE', p)
                    except OSError:
                        print('denied', p)
                """, c);
        assertEquals(JobState.SUCCEEDED, end.state(), c.stderr());
        assertFalse(c.stdout().contains("WROTE"), c.stdout());
    }

    @Test
    void aForkBombIsStopped() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("""
                import os
                while True:
                    try:
                        os.fork()
                    except OSError:
                        pass
                """, c);
        assertEquals(JobState.LIMIT_EXCEEDED, end.state(), end.toString());
    }

    @Test
    void fourGibibytesHitTheMemoryLimit() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("x = bytearray(4 * 1024**3)\n", c);
        assertEquals(JobState.LIMIT_EXCEEDED, end.state(), end.toString());
        assertEquals(Limit.MEMORY, end.limit());
    }

    @Test
    void anEndlessLoopHitsTheCpuLimit() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("while True:\n    pass\n", c);
        assertEquals(JobState.LIMIT_EXCEEDED, end.state(), end.toString());
        assertEquals(Limit.CPU_TIME, end.limit());
    }

    @Test
    void anEndlessSleepHitsTheWallClockLimit() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("import time\ntime.sleep(10**6)\n", c);
        assertEquals(JobState.LIMIT_EXCEEDED, end.state(), end.toString());
        assertEquals(Limit.WALL_CLOCK, end.limit());
    }

    @Test
    void printingWithoutEndHitsTheOutputCap() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", c);
        assertEquals(JobState.LIMIT_EXCEEDED, end.state(), end.toString());
        assertEquals(Limit.OUTPUT, end.limit());
        assertTrue(c.out.size() <= 4 * 1024 * 1024, "runner got " + c.out.size());
    }

    @Test
    void fillingTheDiskIsStopped() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("""
                i = 0
                while True:
                    open('f%d' % i, 'wb').write(b'z' * 1048576)
                    i += 1
                """, c);
        assertEquals(JobState.LIMIT_EXCEEDED, end.state(), end.toString());
        assertTrue(Set.of(Limit.OUTPUT, Limit.FILE_SIZE).contains(end.limit()), end.toString());
    }

    @Test
    void killingItsParentOnlyEndsTheJob() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("""
                import os, signal
                for pid in (os.getppid(), 1, -1):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                """, c);
        assertTrue(end.state().isTerminal(), end.toString());
        assertTrue(lender.connection.state() == idle.client.net.ConnectionState.CONNECTED);
    }

    @Test
    void theEnvironmentSaysNothingAboutRunnerOrLender() throws Exception {
        Collector c = new Collector();
        JobSummary end = run("""
                import os, socket
                print(dict(os.environ))
                print(socket.gethostname())
                for p in ['/proc/1/environ', '/proc/1/cmdline', '/proc/self/cmdline']:
                    try:
                        print(open(p, 'rb').read().replace(b'\\0', b' ').decode())
                    except OSError:
                        pass
                """, c);
        assertEquals(JobState.SUCCEEDED, end.state(), c.stderr());
        String all = c.stdout();
        for (String leak : List.of("alice", "lender1", Fixture.PASSWORD, "IDLE", "USER", "127.0.0.1",
                String.valueOf(fx.server.port()))) {
            assertFalse(all.contains(leak), "leaks " + leak + ": " + all);
        }
        assertTrue(all.contains("idle-sandbox"), all);
    }
}
