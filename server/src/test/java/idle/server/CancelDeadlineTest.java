package idle.server;

import static idle.server.ServerProtocolTest.last;
import static idle.server.ServerProtocolTest.script;
import static idle.server.ServerProtocolTest.submit;
import static idle.server.ServerProtocolTest.untilTerminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobState;
import idle.shared.testing.Poll;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lender that acknowledges CAN but never ends the job: the runner still gets its job
 * CANCELLED once the grace (the heartbeat timeout, 2 s here) has passed; the lender's slot stays
 * taken until its late FIN, which is acknowledged and changes nothing; then the slot serves the
 * next job.
 */
@Timeout(60)
class CancelDeadlineTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    IdleServer server;
    RawLender lender;
    RawClient runner;

    @BeforeEach
    void start() throws Exception {
        server = IdleServer.start(ServerConfig.defaults(TestDirs.fresh("cancel-deadline"))
                .withPort(0).withPbkdf2Iterations(1_000).withLogToFile(false)
                .withHeartbeatTimeout(Duration.ofSeconds(2)));
        server.accounts().addUser("alice", "pw-alice".toCharArray(), false);
        server.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
        lender = new RawLender(server, "lender1", "pw-l1", 1);
        lender.c.heartbeats(Duration.ofMillis(300));
        runner = RawClient.connect(server);
        runner.loginOk("alice", "pw-alice");
        runner.heartbeats(Duration.ofMillis(300));
    }

    @AfterEach
    void stop() throws Exception {
        runner.close();
        lender.close();
        server.close();
    }

    @Test
    void aCancelTheLenderIgnoresEndsTheJobAfterTheGraceAndKeepsTheSlotUntilItsFin()
            throws Exception {
        long[] stuck = submit(runner, script("out started\nstubborn\nwait\nexit 0"));
        assertTrue(lender.awaitRuns(1, WAIT));
        long[] next = submit(runner, script("out next\nexit 0"));
        long asked = System.nanoTime();
        assertInstanceOf(Message.Success.class, runner.request(new Message.Cancel(stuck[1])));
        assertTrue(Poll.until(() -> lender.cancels.contains(stuck[1]), WAIT), "CAN was sent");

        Message.JobEvent end = last(untilTerminal(runner, (int) stuck[0]));
        assertEquals(JobState.CANCELLED, end.job().state());
        assertTrue(end.job().reason().contains("did not confirm the kill"), end.job().reason());
        assertTrue(System.nanoTime() - asked >= Duration.ofSeconds(2).toNanos(),
                "the lender had its grace");
        assertEquals(1, lender.runs.size(), "the slot is still taken by the unkilled job");

        lender.release(stuck[1]); // the process finally ends: its FIN is acknowledged
        assertTrue(Poll.until(() -> lender.finished.contains(stuck[1]), WAIT), "FIN answered");
        Message.JobEvent second = last(untilTerminal(runner, (int) next[0]));
        assertEquals(JobState.SUCCEEDED, second.job().state(), "the freed slot ran the next job");
        assertEquals(2, lender.runs.size());
        Result.Detail d = runner.requestOk(new Message.JobQuery(stuck[1]), Result.Detail.class);
        assertEquals(JobState.CANCELLED, d.job().summary().state(), "the late FIN changed nothing");
    }
}
