package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.Job;
import idle.server.admin.LocalAdmin;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobState;
import idle.shared.model.StreamKind;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A job given a free lender at once gets its EXF while its insert commits, not after
 * ({@code Submissions.Insert#written}). These tests hold that commit back with the store writer's
 * fault-injection pause ({@link StoreWriter#PAUSE_PROPERTY}) so that the window between the EXF
 * and the commit is wide and certain: the lender's answers in that window are kept and
 * acknowledged only after the commit, and a server killed in that window has stored, accepted
 * and run nothing that could come back or run twice.
 */
class EarlyExfTest {
    @Test
    void lenderAnswersBeforeTheCommitAreKeptAndAcknowledgedAfterIt() throws Exception {
        Path dir = TestDirs.fresh("early-exf");
        System.setProperty(StoreWriter.PAUSE_PROPERTY, "5000");
        IdleServer started;
        try {
            started = IdleServer.start(ServerConfig.defaults(dir).withPort(0));
        } finally {
            System.clearProperty(StoreWriter.PAUSE_PROPERTY);
        }
        try (IdleServer s = started) {
            s.accounts().addUser("alice", "pw-alice".toCharArray(), false);
            s.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
            try (RawLender lender = new RawLender(s, "lender1", "pw-l1", 1);
                    RawClient c = RawClient.connect(s)) {
                c.loginOk("alice", "pw-alice");
                int id = c.nextId();
                c.send(id, ServerProtocolTest.script("out early bird\nexit 0"));
                // the EXF reached the lender (which answers at once: SCF, OUT, FIN) while the
                // insert still waits for its commit, and the runner has heard nothing yet
                assertTrue(lender.awaitRuns(1, RawClient.WAIT));
                assertNull(c.await(f -> f.requestId() == id, Duration.ZERO),
                        "nothing reached the runner before the commit");
                Result.JobAccepted a = (Result.JobAccepted) assertInstanceOf(
                        Message.Success.class, c.next(id)).result();
                assertEquals(lender.runs.get(0).jobId(), a.jobId(), "the EXF carried the job's id");
                List<Message> ms = ServerProtocolTest.untilTerminal(c, id);
                Message.JobEvent end = ServerProtocolTest.last(ms);
                assertEquals(JobState.SUCCEEDED, end.job().state());
                assertEquals(1, end.job().attempts());
                assertEquals("early bird\n", ServerProtocolTest.stream(ms, StreamKind.STDOUT));
                assertEquals(1, ms.stream().filter(m -> m instanceof Message.JobEvent e
                        && e.job().state().isTerminal()).count(), "one terminal event");
                Job row = s.database().inTransaction(tx -> tx.jobs().find(a.jobId()))
                        .orElseThrow();
                assertEquals(JobState.SUCCEEDED, row.getState());
                assertEquals(1, lender.runs.size(), "ran once");
                long deadline = System.nanoTime() + RawClient.WAIT.toNanos();
                while (lender.finished.isEmpty() && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // poll
                }
                assertEquals(List.of(a.jobId()), List.copyOf(lender.finished),
                        "the lender's FIN was acknowledged");
            }
        }
    }

    @Test
    void serverKilledBetweenTheExfAndTheCommitStoresAndRunsNothingTwice() throws Exception {
        Path dir = TestDirs.fresh("early-exf-crash");
        String fingerprint;
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(dir).withPort(0))) {
            fingerprint = s.tlsFingerprint();
            s.accounts().addUser("alice", "pw-alice".toCharArray(), false);
            s.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
        }
        long lost;
        // the commit waits 60 s after the EXF went out: the kill below lands in that window
        try (ChildServer child = ChildServer.start(dir, "-D" + StoreWriter.PAUSE_PROPERTY
                + "=60000")) {
            String host = child.host;
            int port = child.port;
            try (RawClient lender = new RawClient(host, port, fingerprint)) {
                lender.loginOk("lender1", "pw-l1");
                lender.requestOk(new Message.MakeLender(RawLender.caps(1)), Result.Text.class);
                try (RawClient c = new RawClient(host, port, fingerprint)) {
                    c.loginOk("alice", "pw-alice");
                    int id = c.nextId();
                    c.send(id, ServerProtocolTest.script("out lost\nexit 0"));
                    Frame exf = lender.await(f -> f.code() == Code.EXF, RawClient.WAIT);
                    assertNotNull(exf, "the EXF went out before the commit");
                    lost = ((Message.Execute) RawClient.decode(exf)).jobId();
                    assertTrue(child.kill(), "SIGKILL, while the insert waits for its commit");
                    assertTrue(lender.closedByServer(RawClient.WAIT), "the lender was cut off");
                    assertTrue(c.closedByServer(RawClient.WAIT), "the runner was cut off");
                    assertNull(c.await(f -> f.requestId() == id, Duration.ZERO),
                            "the runner never heard that the job was accepted");
                }
            }
        }
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(dir).withPort(0));
                RawClient c = RawClient.connect(s)) {
            assertTrue(s.database().inTransaction(tx -> tx.jobs().find(lost)).isEmpty(),
                    "the job whose insert never committed is not in the database");
            assertEquals(0, s.coordinator().activeJobs(), "nothing to recover");
            c.loginOk("alice", "pw-alice");
            try (RawLender l = new RawLender(s, "lender1", "pw-l1", 1)) {
                long[] sub = ServerProtocolTest.submit(c, ServerProtocolTest.script(
                        "out again\nexit 0"));
                assertNotEquals(lost, sub[1], "the id the lost EXF carried is not given again");
                Message.JobEvent end = ServerProtocolTest.last(ServerProtocolTest.untilTerminal(
                        c, (int) sub[0]));
                assertEquals(JobState.SUCCEEDED, end.job().state());
                assertEquals(1, l.runs.size(), "only the new job ran");
                assertEquals(sub[1], l.runs.get(0).jobId());
            }
        }
        String v = LocalAdmin.run(dir, List.of("audit", "--verify"));
        assertTrue(v.startsWith("audit chain OK"), v);
    }
}
