package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.server.admin.LocalAdmin;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobState;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Didle.log.quiet=true", "idle.server.ServerMain", "server", "--data",
                dir.toString(), "--port", "0").redirectError(
                        dir.resolve("child-stderr.txt").toFile()).start();
        long[] jobs = new long[3];
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(120, TimeUnit.SECONDS);
            assertNotNull(line, "the child printed its ready line");
            Matcher m = Pattern.compile("IDLE server listening on (.+):(\\d+)").matcher(line);
            assertTrue(m.matches(), line);
            String host = m.group(1);
            int port = Integer.parseInt(m.group(2));
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
                p.destroyForcibly(); // SIGKILL
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                c.close();
            }
        } finally {
            p.destroyForcibly();
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
