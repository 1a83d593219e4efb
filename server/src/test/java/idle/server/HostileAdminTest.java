package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.tls.ServerIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11 against the real server on real sockets: what accounts and admin commands must do
 * to sessions, and what reaches an admin's terminal and CSV files. Each test is named after the
 * hole it closes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileAdminTest {
    static final String PW = "s3cret-pass";
    static final Duration END = Duration.ofSeconds(10);

    Path dir;
    IdleServer server;

    @BeforeAll
    void start() throws Exception {
        dir = TestDirs.fresh("hostile-admin");
        server = IdleServer.start(TrustTest.config(dir.resolve("s"), TrustConfig.defaults()
                .withIdentity(ServerIdentity.generate()), Duration.ofSeconds(30)));
        server.accounts().addUser("root", PW.toCharArray(), true);
        for (String u : List.of("dora", "ella", "fred")) {
            server.accounts().addUser(u, PW.toCharArray(), false);
        }
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        TestDirs.delete(dir);
    }

    /** Runs an admin command as root on a connection of its own; returns the reply. */
    Message adm(String... argv) throws Exception {
        try (RawClient root = RawClient.connect(server)) {
            root.loginOk("root", PW);
            return root.request(new Message.Admin(List.of(argv)));
        }
    }

    /** A new connection tries to resume with {@code token}: true when it was resumed. */
    boolean resumes(String token) throws Exception {
        try (RawClient c = RawClient.connect(server)) {
            int id = c.nextId();
            c.send(id, new Message.Login("raw-test/1.0", token));
            Message m = c.next(id);
            return m instanceof Message.Success;
        }
    }

    // ---- hole 11: disable and passwd end every session of the account ---------------------

    @Test
    void hole11DisablingAUserEndsItsLiveSessionAndItsResumeToken() throws Exception {
        try (RawClient dora = RawClient.connect(server)) {
            String token = dora.loginOk("dora", PW).resumeToken();
            dora.heartbeats(Duration.ofSeconds(1)); // so only the server's decision ends it
            assertInstanceOf(Message.Success.class, adm("user", "disable", "dora"));
            Message.Illegal end = dora.awaitMessage(0, Message.Illegal.class);
            assertTrue(end.reason().contains("disabled"), end.reason());
            assertTrue(dora.closedByServer(END), "dora's connection was closed");
            assertTrue(!resumes(token), "the resume token died with the account");
        } finally {
            server.accounts().enable("dora");
        }
    }

    @Test
    void hole11ChangingAPasswordEndsTheLiveSessionsAndResumeTokensOfTheAccount()
            throws Exception {
        try (RawClient one = RawClient.connect(server);
                RawClient two = RawClient.connect(server)) {
            String t1 = one.loginOk("ella", PW).resumeToken();
            String t2 = two.loginOk("ella", PW).resumeToken();
            one.heartbeats(Duration.ofSeconds(1));
            two.heartbeats(Duration.ofSeconds(1));
            assertInstanceOf(Message.Success.class,
                    adm("user", "passwd", "ella", "--password", "new-pass-1"));
            for (RawClient c : List.of(one, two)) {
                Message.Illegal end = c.awaitMessage(0, Message.Illegal.class);
                assertTrue(end.reason().contains("password"), end.reason());
                assertTrue(c.closedByServer(END), "every connection of ella was closed");
            }
            assertTrue(!resumes(t1) && !resumes(t2), "no token of ella resumes");
        }
        try (RawClient c = RawClient.connect(server)) {
            assertEquals("ella", c.loginOk("ella", "new-pass-1").user(), "the new password works");
        }
    }

    @Test
    void hole11AnAdminChangingItsOwnPasswordGetsTheAnswerThenItsSessionEnds()
            throws Exception {
        server.accounts().addUser("boss", PW.toCharArray(), true);
        try (RawClient boss = RawClient.connect(server);
                RawClient fred = RawClient.connect(server)) {
            boss.loginOk("boss", PW);
            fred.loginOk("fred", PW);
            boss.heartbeats(Duration.ofSeconds(1));
            fred.heartbeats(Duration.ofSeconds(1));
            Result.Text out = boss.requestOk(new Message.Admin(List.of("user", "passwd", "boss",
                    "--password", "another-1")), Result.Text.class);
            assertTrue(out.text().contains("boss"), out.text());
            boss.awaitMessage(0, Message.Illegal.class);
            assertTrue(boss.closedByServer(END), "then its session ends");
            // Another user's session is untouched.
            assertInstanceOf(Message.Ack.class, fred.request(new Message.Heartbeat(1)));
        }
    }
}
