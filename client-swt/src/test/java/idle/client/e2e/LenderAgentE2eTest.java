package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.lender.LenderSettings;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.fault.TcpProxy;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.testing.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The lender agent's life with a real server: reconnects, pausing for its owner, withdrawal, its log. */
@Timeout(120)
class LenderAgentE2eTest {
    @TempDir
    Path dir;
    Fixture fx;
    RunnerService alice;

    @BeforeEach
    void start() throws Exception {
        fx = new Fixture(dir);
        alice = fx.runner("alice");
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    LenderSettings settings(String name) {
        return LenderSettings.defaults(dir.resolve(name)).withMaxJobs(1).withLimits(10, 256, 60, 16)
                .withWorkRoot(Fixture.WORK_ROOT);
    }

    @Test
    void afterANetworkDropTheLenderRegistersAgainAndServes() throws Exception {
        try (TcpProxy proxy = new TcpProxy(fx.server.host(), fx.server.port())) {
            Fixture.Lender l = fx.lender("lender1", proxy.address(), settings("l1"));
            proxy.cut();
            Poll.require(() -> l.log.stream().filter(s -> s.contains("lending as")).count() >= 2,
                    Fixture.WAIT, "the lender to register again");
            Collector c = new Collector();
            FollowedJob job = alice.submit(JobRequest.of("after.py", "print('served')\n"), c).get();
            assertEquals(JobState.SUCCEEDED, job.completion().get(30, TimeUnit.SECONDS).state());
            assertEquals("served\n", c.stdout());
            assertEquals(l.pseudonym, job.completion().get().lender());
        }
    }

    @Test
    void pausingForTheOwnerStopsTheJobsProcessesAndResumingFinishesIt() throws Exception {
        Fixture.Lender l = fx.lender("lender1", fx.address(), settings("l1"));
        Collector c = new Collector();
        FollowedJob job = alice.submit(JobRequest.of("ticker.py", """
                import time
                for i in range(6):
                    print('tick', i, flush=True)
                    time.sleep(0.2)
                """), c).get();
        assertTrue(c.awaitStdout("tick 1", 30_000));
        l.agent.pauseForOwner("the owner is typing");
        assertTrue(l.agent.isPausedForOwner());
        Poll.require(() -> !scriptPids("ticker.py").isEmpty()
                && scriptPids("ticker.py").stream().allMatch(LenderAgentE2eTest::isStopped),
                Fixture.WAIT, "the script's processes to be stopped");
        assertFalse(job.completion().isDone());
        l.agent.resumeAfterOwner("the owner left");
        JobSummary end = job.completion().get(30, TimeUnit.SECONDS);
        assertEquals(JobState.SUCCEEDED, end.state());
        assertEquals("tick 0\ntick 1\ntick 2\ntick 3\ntick 4\ntick 5\n", c.stdout());
        assertTrue(l.log.stream().anyMatch(s -> s.contains("busy: the owner is typing")), l.log.toString());
    }

    @Test
    void whenPausedTooLongTheJobIsGivenBackAndRunsElsewhere() throws Exception {
        LenderSettings s = settings("l1").withWhenIdle(false, new LenderSettings.IdlePolicy(25,
                Duration.ofSeconds(3), Duration.ofSeconds(60), Duration.ofMillis(500), Duration.ofSeconds(1)));
        Fixture.Lender busy = fx.lender("lender1", fx.address(), s);
        Collector c = new Collector();
        FollowedJob job = alice.submit(JobRequest.of("patient.py", """
                import time
                print('start', flush=True)
                time.sleep(1)
                print('done')
                """), c).get();
        assertTrue(c.awaitStdout("start", 30_000));
        busy.agent.pauseForOwner("the owner needs everything");
        Poll.require(() -> busy.log.stream().anyMatch(x -> x.contains("giving back")), Fixture.WAIT,
                "the job to be given back");
        Fixture.Lender other = fx.lender("lender2", fx.address(), settings("l2"));
        JobSummary end = job.completion().get(60, TimeUnit.SECONDS);
        assertEquals(JobState.SUCCEEDED, end.state(), end.toString());
        assertEquals(other.pseudonym, end.lender());
        assertEquals("start\ndone\n", c.stdout());
        assertEquals(1, c.finished.get());
        // Back from the pause, the first lender registers again and takes work.
        busy.agent.resumeAfterOwner("idle again");
        Poll.require(() -> busy.log.stream().filter(x -> x.contains("lending as")).count() >= 2,
                Fixture.WAIT, "re-registration");
    }

    @Test
    void withdrawingWithoutGivingBackLetsRunningJobsFinish() throws Exception {
        Fixture.Lender l = fx.lender("lender1", fx.address(), settings("l1"));
        Collector c = new Collector();
        FollowedJob job = alice.submit(JobRequest.of("finishme.py", """
                import time
                print('a', flush=True)
                time.sleep(1)
                print('b')
                """), c).get();
        assertTrue(c.awaitStdout("a", 30_000));
        CompletableFuture<Void> withdrawn = l.agent.withdraw(false);
        withdrawn.get(30, TimeUnit.SECONDS);
        // The job was not given back: it finished on this lender. The runner hears the terminal
        // state on its own connection, and the lender logs the job once the server confirmed its
        // FIN, so either may come a moment after the withdrawal completed.
        assertEquals(JobState.SUCCEEDED, job.completion().get(30, TimeUnit.SECONDS).state(),
                "withdrawal let the job finish");
        Poll.require(() -> l.agent.jobLog().lines().size() == 1, Fixture.WAIT, "the job in the job log");
        assertEquals("a\nb\n", c.stdout());
        assertFalse(l.agent.isLending());
        // The job log in the client data directory has the job, without the runner's name.
        List<String> lines = l.agent.jobLog().lines();
        assertEquals(1, lines.size(), lines.toString());
        String[] f = lines.get(0).split("\t");
        assertEquals(Long.toString(job.jobId()), f[1]);
        assertEquals("finishme.py", f[3]);
        assertEquals("succeeded", f[5]);
        assertFalse(lines.get(0).contains("alice"));
    }

    /** Pids of processes whose command line mentions {@code script}. */
    static List<Long> scriptPids(String script) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> {
            try {
                String cmd = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"),
                        StandardCharsets.ISO_8859_1);
                if (cmd.contains(script) && cmd.contains("python")) {
                    out.add(h.pid());
                }
            } catch (IOException ignored) {
                // gone
            }
        });
        return out;
    }

    static boolean isStopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
        } catch (IOException e) {
            return false;
        }
    }

    /** Issue 13: the lender learns its own account's credit and standing, and logs it. */
    @Test
    void theLenderLearnsItsAccountsCreditAndStandingAndLogsIt() throws Exception {
        Fixture.Lender l = fx.lender("lender1", fx.address(), settings("l1"));
        Poll.require(() -> l.agent.credit() != null, Fixture.WAIT, "the first CRD");
        assertEquals(new idle.shared.model.LenderCredit(idle.shared.model.LenderStanding.NEW, 0, 0,
                0, 0, 0, 0, 0), l.agent.credit());
        Poll.require(() -> l.log.stream().anyMatch(x -> x.endsWith(
                "credit: 0 s CPU from 0 accepted results; standing: new")), Fixture.WAIT,
                "the credit line in the lender's log");
        var shares = List.of(new idle.server.dispatch.LenderTrust.Share("lender1",
                idle.server.dispatch.LenderTrust.Verdict.AGREED, 3_720_000));
        fx.server.database().useTransaction(tx -> fx.server.reputation().record(tx, shares));
        fx.server.reputation().recorded(shares);
        Poll.require(() -> l.agent.credit().agreed() == 1, Fixture.WAIT, "the new credit");
        assertEquals(3_720_000, l.credits.get(l.credits.size() - 1).creditMillis());
        // a change of standing is logged at once
        fx.server.reputation().suspend("lender1", true);
        Poll.require(() -> l.log.stream().anyMatch(x -> x.endsWith(
                "credit: 1 h 02 min CPU from 1 accepted result; standing: suspended")),
                Fixture.WAIT, "the suspension in the lender's log");
        assertEquals(2, l.log.stream().filter(x -> x.contains("credit: ")).count(), l.log
                .toString());
    }
}
