package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.server.admin.LocalAdmin;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobState;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The server process killed with SIGKILL while jobs are queued and running, then started again
 * on the same data directory: every accepted job is still there and completes; the job that was
 * running runs again as attempt 2; the audit chain still verifies.
 */
class CrashRecoveryTest {
    @Test
    void sigkillWithQueuedAndRunningJobsLosesNothing() throws Exception {
        Path dir = TestDirs.fresh("crash");
        String fingerprint; // the child reuses the TLS key made in the data directory
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(dir).withPort(0))) {
            fingerprint = s.tlsFingerprint();
            s.accounts().addUser("alice", "pw-alice".toCharArray(), false);
            s.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
        }
        long[] jobs = new long[3];
        try (ChildServer child = ChildServer.start(dir)) {
            String host = child.host;
            int port = child.port;
            try (RawClient lender = new RawClient(host, port, fingerprint)) {
                lender.loginOk("lender1", "pw-l1");
                lender.requestOk(new Message.MakeLender(RawLender.caps(1)), Result.Text.class);
                // Connect only now: the login deadline (10 s) runs from the connection, and the
                // cold child may take that long for the lender's login.
                RawClient c = new RawClient(host, port, fingerprint);
                c.loginOk("alice", "pw-alice");
                jobs[0] = ServerProtocolTest.submit(c, ServerProtocolTest.script(
                        "out one\nwait\nexit 0"))[1];
                assertNotNull(lender.await(f -> f.code() == idle.shared.protocol.Code.EXF,
                        RawClient.WAIT), "job 1 was dispatched");
                jobs[1] = ServerProtocolTest.submit(c, ServerProtocolTest.script("out two"))[1];
                jobs[2] = ServerProtocolTest.submit(c, ServerProtocolTest.script("out three"))[1];
                assertTrue(child.kill());
                c.close();
            }
        }
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(dir).withPort(0));
                RawClient c = RawClient.connect(s)) {
            c.loginOk("alice", "pw-alice");
            int[] subs = new int[3];
            for (int i = 0; i < 3; i++) {
                subs[i] = c.nextId();
                c.send(subs[i], new Message.Attach(jobs[i], 0, true));
                Result.Detail d = (Result.Detail) c.expect(subs[i], Message.Success.class)
                        .result();
                assertEquals(JobState.QUEUED, d.job().summary().state(), "job " + jobs[i]);
            }
            try (RawLender l = new RawLender(s, "lender1", "pw-l1", 3)) {
                assertTrue(l.awaitRuns(3, RawClient.WAIT));
                l.release(jobs[0]);
                for (int i = 0; i < 3; i++) {
                    List<Message> ms = ServerProtocolTest.untilTerminal(c, subs[i]);
                    Message.JobEvent end = ServerProtocolTest.last(ms);
                    assertEquals(JobState.SUCCEEDED, end.job().state());
                    assertEquals(i == 0 ? 2 : 1, end.job().attempts(), "job " + jobs[i]);
                }
            }
        }
        String v = LocalAdmin.run(dir, List.of("audit", "--verify"));
        assertTrue(v.startsWith("audit chain OK"), v);
        assertTrue(new File(dir.toFile(), "idle.log").length() > 0);
    }
}
