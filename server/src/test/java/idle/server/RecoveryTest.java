package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.server.admin.LocalAdmin;
import idle.server.net.ServerContext.AdminFailure;
import idle.server.store.DataDirLock;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.model.StreamKind;
import idle.shared.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Restart on the same data directory, the audit chain, and what is stored on disk. */
class RecoveryTest {
    static final String ALICE_PW = "Alice-Plaintext-Pw-93xq";
    static final String LENDER_PW = "Lender-Plaintext-Pw-17zk";

    @Test
    void restartKeepsQueuedAndRunningJobsAndStoresNoPlaintextPassword() throws Exception {
        Path dir = TestDirs.fresh("restart");
        ServerConfig cfg = ServerConfig.defaults(dir).withPort(0);
        long running;
        long queued;
        try (IdleServer s1 = IdleServer.start(cfg)) {
            s1.accounts().addUser("alice", ALICE_PW.toCharArray(), false);
            s1.accounts().addUser("lender1", LENDER_PW.toCharArray(), false);
            s1.accounts().addUser("root", "Root-Plaintext-Pw-55".toCharArray(), true);
            try (RawLender l = new RawLender(s1, "lender1", LENDER_PW, 1);
                    RawClient c = RawClient.connect(s1)) {
                c.loginOk("alice", ALICE_PW);
                running = ServerProtocolTest.submit(c, ServerProtocolTest.script(
                        "out attempt\nwait\nout finished\nexit 0"))[1];
                queued = ServerProtocolTest.submit(c, ServerProtocolTest.script(
                        "out second\nexit 0"))[1];
                assertTrue(l.awaitRuns(1, RawClient.WAIT));
                // the admin directory lock: a local admin command refuses while it runs
                DataDirLock.BusyException busy = assertThrows(DataDirLock.BusyException.class,
                        () -> LocalAdmin.run(dir, List.of("user", "list")));
                assertTrue(busy.getMessage().contains("listening on"), busy.getMessage());
            }
        }
        try (IdleServer s2 = IdleServer.start(cfg);
                RawClient c = RawClient.connect(s2)) {
            c.loginOk("alice", ALICE_PW);
            Result.Detail d = c.requestOk(new Message.JobQuery(running), Result.Detail.class);
            assertEquals(JobState.QUEUED, d.job().summary().state(), "running job re-queued");
            assertEquals(1, d.job().summary().attempts());
            Result.Detail q = c.requestOk(new Message.JobQuery(queued), Result.Detail.class);
            assertEquals(JobState.QUEUED, q.job().summary().state());
            int att = c.nextId();
            c.send(att, new Message.Attach(running, 0, true));
            c.expect(att, Message.Success.class);
            try (RawLender l = new RawLender(s2, "lender1", LENDER_PW, 1)) {
                assertTrue(l.awaitRuns(1, RawClient.WAIT));
                assertEquals(running, l.runs.get(0).jobId(), "oldest first");
                assertEquals(2, l.runs.get(0).attempt(), "attempt + 1");
                l.release(running);
                List<Message> ms = ServerProtocolTest.untilTerminal(c, att);
                Message.JobEvent end = ServerProtocolTest.last(ms);
                assertEquals(JobState.SUCCEEDED, end.job().state());
                assertEquals(2, end.job().attempts());
                assertEquals("attempt\nfinished\n", ServerProtocolTest.stream(ms,
                        StreamKind.STDOUT));
                assertTrue(l.awaitRuns(2, RawClient.WAIT));
                assertEquals(queued, l.runs.get(1).jobId());
                assertTrue(Poll.until(() -> l.finished.contains(queued), RawClient.WAIT));
            }
            Result.JobPage page = c.requestOk(new Message.History(JobState.SUCCEEDED, null, 0,
                    10), Result.JobPage.class);
            assertEquals(List.of(queued, running), page.jobs().stream().map(j -> j.jobId())
                    .toList());
        }
        // no plaintext password in any file of the data directory
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                for (String pw : List.of(ALICE_PW, LENDER_PW, "Root-Plaintext-Pw-55")) {
                    assertFalse(contains(b, pw.getBytes(StandardCharsets.UTF_8)),
                            pw + " in " + p);
                    assertFalse(contains(b, pw.getBytes(StandardCharsets.UTF_16BE)),
                            pw + " (UTF-16) in " + p);
                }
            }
        }
        // the audit chain verifies; a tampered row is detected
        String ok = LocalAdmin.run(dir, List.of("audit", "--verify"));
        assertTrue(ok.startsWith("audit chain OK"), ok);
        String log = LocalAdmin.run(dir, List.of("audit", "--user", "alice", "--csv"));
        assertTrue(log.contains(",RCS,") && log.contains(",LCS,"), log);
        String url = "jdbc:derby:" + dir.resolve("db").toAbsolutePath();
        try (Connection con = DriverManager.getConnection(url);
                Statement st = con.createStatement()) {
            assertEquals(1, st.executeUpdate("UPDATE AUDIT_EVENT SET DETAIL = 'nothing to see' "
                    + "WHERE ID = 3"));
        }
        try {
            DriverManager.getConnection(url + ";shutdown=true").close();
        } catch (java.sql.SQLException expected) {
            // Derby reports a shutdown as an exception
        }
        AdminFailure broken = assertThrows(AdminFailure.class,
                () -> LocalAdmin.run(dir, List.of("audit", "--verify")));
        assertEquals(FailureKind.CHECKSUM, broken.kind());
        assertTrue(broken.getMessage().contains("row 3"), broken.getMessage());
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
