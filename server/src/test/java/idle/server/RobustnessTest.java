package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.message.SampleMessages;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.testing.Poll;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every message type in every phase, mutated frames, silent peers, shutdown and admin commands
 * through the protocol. The server must answer each frame as the protocol says and keep serving
 * everyone else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RobustnessTest {
    IdleServer server;

    @BeforeAll
    void start() throws Exception {
        server = IdleServer.start(ServerConfig.defaults(TestDirs.fresh("robust")).withPort(0)
                .withHeartbeatTimeout(Duration.ofSeconds(2)).withShutdownGrace(
                        Duration.ofSeconds(5)).withLoginDeadline(Duration.ofSeconds(3)));
        server.accounts().addUser("user", "pw-user".toCharArray(), false);
        server.accounts().addUser("root", "pw-root".toCharArray(), true);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** Each sample message, before and after login: a reply or ILR, never a crash or hang. */
    @Test
    void everySampleMessageGetsAnAnswerOrIsIgnoredInEveryPhase() throws Exception {
        try (RawClient pre = RawClient.connect(server);
                RawClient post = RawClient.connect(server)) {
            post.loginOk("user", "pw-user");
            int id = 1000;
            for (Message m : SampleMessages.all()) {
                if (m instanceof Message.Logout) {
                    continue; // logs out and closes, as it should
                }
                for (RawClient c : List.of(pre, post)) {
                    id++;
                    c.send(id, m);
                    // the connection must still answer a heartbeat after it
                    int hb = id + 50_000;
                    c.send(hb, new Message.Heartbeat(hb));
                    Frame f = c.await(x -> x.requestId() == hb && x.code() == Code.OK,
                            RawClient.WAIT);
                    assertNotNull(f, "alive after " + m.code() + " on the "
                            + (c == pre ? "anonymous" : "logged-in") + " connection");
                }
            }
            Result.Pool p = post.requestOk(new Message.PoolQuery(), Result.Pool.class);
            assertNotNull(p);
        }
    }

    /** Random single-byte mutations of valid frames: each connection ends or goes on; the
     *  server keeps serving a normal login afterwards. */
    @Test
    void mutatedFramesNeverHurtTheServer() throws Exception {
        Random rnd = new Random(42);
        List<Frame> frames = SampleMessages.frames();
        for (int round = 0; round < 60; round++) {
            try (RawClient c = RawClient.connect(server)) {
                for (int k = 0; k < 5; k++) {
                    byte[] b = frames.get(rnd.nextInt(frames.size())).toBytes();
                    int pos = rnd.nextInt(b.length);
                    b[pos] = (byte) rnd.nextInt(256);
                    try {
                        c.sendRaw(b);
                    } catch (IOException e) {
                        break; // closed by the server after an ILR#0
                    }
                }
            }
        }
        try (RawClient c = RawClient.connect(server)) {
            c.loginOk("user", "pw-user");
        }
    }

    @Test
    void aSilentLenderIsDroppedAndItsJobRequeued() throws Exception {
        try (RawClient runner = RawClient.connect(server)) {
            runner.loginOk("user", "pw-user");
            runner.heartbeats(Duration.ofMillis(500));
            RawLender l = new RawLender(server, "root", "pw-root", 1);
            try {
                long[] j = ServerProtocolTest.submit(runner, ServerProtocolTest.script(
                        "wait\nexit 0"));
                assertTrue(l.awaitRuns(1, RawClient.WAIT));
                // the raw lender sends no heartbeats: after 2 s of silence it is dropped
                assertTrue(l.c.closedByServer(Duration.ofSeconds(10)));
                Message.JobEvent e = runner.awaitMessage((int) j[0], Message.JobEvent.class);
                assertEquals(JobState.QUEUED, e.job().state());
                assertTrue(e.job().reason().contains("lender"), e.job().reason());
                assertInstanceOf(Message.Success.class, runner.request(new Message.Cancel(j[1])));
            } finally {
                l.close();
            }
        }
    }

    @Test
    void aConnectionThatDoesNotLogInIsClosedAtItsDeadline() throws Exception {
        try (RawClient c = RawClient.connect(server)) {
            c.heartbeats(Duration.ofMillis(500)); // heartbeats do not extend the login deadline
            long t0 = System.nanoTime();
            assertTrue(c.closedByServer(Duration.ofSeconds(15)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 2500 && ms < 8000, "closed after " + ms + " ms");
            assertNotNull(c.await(f -> f.code() == Code.ILR && f.requestId() == 0,
                    Duration.ofSeconds(1)));
        }
    }

    @Test
    void failedLoginsAreSlowedDown() throws Exception {
        try (RawClient c = RawClient.connect(server)) {
            c.heartbeats(Duration.ofMillis(500));
            for (int i = 0; i < 2; i++) {
                assertEquals(FailureKind.BAD_CREDENTIALS, assertInstanceOf(Message.Failure.class,
                        c.login("mallory", "guess" + i)).kind());
            }
        }
        try (RawClient c = RawClient.connect(server)) {
            long t0 = System.nanoTime();
            c.login("mallory", "guess3");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 1500, "the third guess waited " + ms + " ms");
        }
    }

    @Test
    void adminCommandsRunThroughTheProtocolForAdminsOnly() throws Exception {
        try (RawClient c = RawClient.connect(server)) {
            c.loginOk("root", "pw-root");
            Result.Text list = c.requestOk(new Message.Admin(List.of("user", "list")),
                    Result.Text.class);
            assertTrue(list.text().contains("root") && list.text().contains("user"), list.text());
            Message dup = c.request(new Message.Admin(List.of("user", "add", "user",
                    "--password", "x")));
            assertEquals(FailureKind.EXISTS, assertInstanceOf(Message.Failure.class, dup).kind());
            Result.Text v = c.requestOk(new Message.Admin(List.of("audit", "--verify")),
                    Result.Text.class);
            assertTrue(v.text().startsWith("audit chain OK"), v.text());
            Result.Text audit = c.requestOk(new Message.Admin(List.of("audit", "--csv")),
                    Result.Text.class);
            assertTrue(audit.text().contains(",ADM,"), audit.text());
            assertTrue(!audit.text().contains("--password,x") && !audit.text().contains(" x "),
                    "passwords are redacted in the audit log");
            Message bad = c.request(new Message.Admin(List.of("frobnicate")));
            assertEquals(FailureKind.INVALID, assertInstanceOf(Message.Failure.class, bad).kind());
        }
    }

    @Test
    void connectionsBeyondTheCapPerAddressAreRefusedWithAReason() throws Exception {
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(TestDirs.fresh("caps"))
                .withPort(0).withMaxConnections(3, 100))) {
            List<RawClient> ok = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    ok.add(RawClient.connect(s));
                }
                for (RawClient c : ok) {
                    assertNotNull(c.request(new Message.Heartbeat(7)));
                }
                try (RawClient refused = RawClient.connect(s)) {
                    Frame f = refused.await(x -> x.code() == Code.ILR && x.requestId() == 0,
                            RawClient.WAIT);
                    assertNotNull(f);
                    String why = ((Message.Illegal) RawClient.decode(f)).reason();
                    assertTrue(why.contains("too many connections") && why.contains("3"), why);
                    assertTrue(refused.closedByServer(RawClient.WAIT));
                }
                ok.remove(0).close();
                assertTrue(Poll.until(() -> {
                    try (RawClient again = RawClient.connect(s)) {
                        return again.await(x -> x.code() == Code.OK, Duration.ofSeconds(2)) != null
                                || sendHb(again);
                    } catch (IOException e) {
                        return false;
                    }
                }, RawClient.WAIT), "a slot frees when a connection closes");
            } finally {
                ok.forEach(RawClient::close);
            }
        }
    }

    private static boolean sendHb(RawClient c) {
        c.send(99, new Message.Heartbeat(99));
        return c.await(x -> x.code() == Code.OK && x.requestId() == 99, Duration.ofSeconds(2))
                != null;
    }

    @Test
    void shutdownTellsClientsWithSdnAndWaitsForSsd() throws Exception {
        IdleServer s = IdleServer.start(ServerConfig.defaults(TestDirs.fresh("sdn")).withPort(0)
                .withShutdownGrace(Duration.ofSeconds(10)));
        s.accounts().addUser("u", "pw".toCharArray(), false);
        try (RawClient c = RawClient.connect(s)) {
            c.loginOk("u", "pw");
            long t0 = System.nanoTime();
            s.close();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Frame sdn = c.await(f -> f.code() == Code.SDN, RawClient.WAIT);
            assertNotNull(sdn);
            assertTrue(sdn.requestId() < 0, "server-side ids are negative");
            assertTrue(ms < 5000, "SSD answered at once, no need to wait the grace: " + ms);
            assertTrue(c.closedByServer(RawClient.WAIT));
        }
        Codec.encode(1, new Message.Heartbeat(1)); // (codec still usable)
    }
}
