package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.AuditEvent;
import idle.server.auth.LoginThrottle;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.testing.Poll;
import idle.shared.tls.KnownServers;
import idle.shared.tls.ServerIdentity;
import idle.shared.tls.TlsContexts;
import idle.shared.tls.TlsFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 6 against the real server on real sockets: TLS 1.3 with pinning, plaintext refused
 * clearly both ways, login throttling, the login deadline, connection caps per address, the outbox
 * cap, and sessions (logout, resume after a drop, absolute lifetime). Waits are deadlines on
 * events, never sleeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrustTest {
    static final String PW = "s3cret-pass";
    static final Duration DEADLINE = Duration.ofSeconds(1);
    /** Small times: 5 ms doubling, 40 ms per pair, 20 ms per account; refusals only past 5 s. */
    static final LoginThrottle.Policy POLICY = new LoginThrottle.Policy(Duration.ofMillis(5),
            Duration.ofMillis(40), Duration.ofMillis(20), 50, Duration.ofMillis(200),
            Duration.ofMinutes(10), Duration.ofSeconds(5));

    Path dir;
    IdleServer server;

    @BeforeAll
    void start() throws Exception {
        dir = TestDirs.fresh("trust");
        server = start(dir.resolve("tls"), TrustConfig.defaults().withIdentity(
                ServerIdentity.generate()).withThrottle(POLICY).withMaxQueuedBytes(64 * 1024), DEADLINE);
        for (String u : List.of("alice", "bob", "carol", "dave", "erin")) {
            server.accounts().addUser(u, PW.toCharArray(), false);
        }
    }

    static IdleServer start(Path dir, TrustConfig trust, Duration loginDeadline) {
        return IdleServer.start(config(dir, trust, loginDeadline));
    }

    static ServerConfig config(Path dir, TrustConfig trust, Duration loginDeadline) {
        return ServerConfig.defaults(dir).withPort(0).withPbkdf2Iterations(1_000)
                .withLogToFile(false).withLoginDeadline(loginDeadline).withTrust(trust);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        TestDirs.delete(dir);
    }

    String hostPort() {
        return server.host() + ":" + server.port();
    }

    // ---- TLS ------------------------------------------------------------------------------

    @Test
    void handshakeIsTls13PinsTheServersKeyAndLoginWorks() throws Exception {
        KnownServers known = new KnownServers(dir.resolve("pins-ok/known_servers"));
        AtomicReference<String> shown = new AtomicReference<>();
        for (int round = 0; round < 2; round++) {
            try (Socket raw = new Socket(server.host(), server.port())) {
                raw.setSoTimeout(20_000);
                SSLSocket s = TlsContexts.connectPinned(raw, server.host(), server.port(), known,
                        (hp, fp) -> shown.compareAndSet(null, fp));
                assertEquals("TLSv1.3", s.getSession().getProtocol());
                s.close();
            }
        }
        assertEquals(server.tlsFingerprint(), shown.get(), "the fingerprint shown on first use");
        assertEquals(server.tlsFingerprint(), known.pinFor(hostPort()).orElseThrow());
        try (RawClient c = RawClient.connect(server)) {
            assertEquals("TLSv1.3", ((SSLSocket) c.socket).getSession().getProtocol());
            assertEquals("alice", c.loginOk("alice", PW).user());
        }
    }

    @Test
    void aChangedKeyIsAHardFailureWithAClearMessage() throws Exception {
        KnownServers known = new KnownServers(dir.resolve("pins-changed/known_servers"));
        String other = ServerIdentity.generate().fingerprint();
        known.pin(hostPort(), other);
        try (Socket raw = new Socket(server.host(), server.port())) {
            raw.setSoTimeout(20_000);
            TlsFailure e = assertThrows(TlsFailure.class, () -> TlsContexts.connectPinned(raw,
                    server.host(), server.port(), known, (hp, fp) -> true));
            assertEquals(TlsFailure.Kind.KEY_CHANGED, e.kind());
            assertTrue(e.getMessage().contains("CHANGED"), e.getMessage());
            assertTrue(e.getMessage().contains(server.tlsFingerprint()), e.getMessage());
            assertTrue(e.getMessage().contains(known.file().toString()), e.getMessage());
        }
        assertEquals(other, known.pinFor(hostPort()).orElseThrow(), "the pin is kept");
    }

    @Test
    void aPlaintextClientIsToldThatTlsIsRequired() throws Exception {
        try (RawClient c = new RawClient(server.host(), server.port(), null)) {
            Message.Illegal ilr = c.expect(0, Message.Illegal.class);
            assertTrue(ilr.reason().contains("requires TLS")
                    && ilr.reason().contains("--insecure-plaintext"), ilr.reason());
            assertTrue(TlsFailure.isTlsRequiredRefusal(ilr.reason()), "the shared constant clients test");
            assertTrue(c.closedByServer(RawClient.WAIT));
        }
        var admin = assertThrows(idle.server.admin.RemoteAdmin.RemoteFailure.class,
                () -> idle.server.admin.RemoteAdmin.run(server.host(), server.port(), "alice",
                        PW.toCharArray(), java.util.List.of("users"), true,
                        new java.io.PrintWriter(java.io.Writer.nullWriter())));
        assertEquals("the server requires TLS: run without --insecure-plaintext", admin.getMessage());
    }

    @Test
    void aTlsClientAtAPlaintextServerGetsAClearError() throws Exception {
        Path d = dir.resolve("plain");
        try (IdleServer plain = start(d, TrustConfig.defaults().withInsecurePlaintext(),
                Duration.ofSeconds(10))) {
            assertEquals(null, plain.tlsFingerprint());
            KnownServers known = new KnownServers(dir.resolve("pins-plain/known_servers"));
            try (Socket raw = new Socket(plain.host(), plain.port())) {
                raw.setSoTimeout(20_000);
                TlsFailure e = assertThrows(TlsFailure.class, () -> TlsContexts.connectPinned(raw,
                        plain.host(), plain.port(), known, (hp, fp) -> true));
                assertEquals(TlsFailure.Kind.SERVER_NOT_TLS, e.kind());
                assertTrue(e.getMessage().contains("--insecure-plaintext"), e.getMessage());
            }
            plain.accounts().addUser("alice", PW.toCharArray(), false);
            try (RawClient c = new RawClient(plain.host(), plain.port(), null)) {
                c.loginOk("alice", PW); // plaintext works when both sides say so
            }
        }
    }

    // ---- login throttling -----------------------------------------------------------------

    @Test
    void fiftyWrongPasswordsAreSlowedDownWhileOthersLogInNormally() throws Exception {
        long[] gaps = new long[50];
        long last = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            // A fresh connection per guess: the login deadline (1 s here) ends a connection
            // that keeps failing, as it would end an attacker's.
            try (RawClient attacker = RawClient.connect(server)) {
                Message m = attacker.login("carol", "guess-" + i);
                long now = System.nanoTime();
                gaps[i] = now - last;
                last = now;
                Message.Failure f = assertInstanceOf(Message.Failure.class, m, "attempt " + i);
                assertEquals(FailureKind.BAD_CREDENTIALS, f.kind(), "attempt " + i);
                assertEquals("wrong user name or password", f.reason(), "a generic message");
                if (i == 25) {
                    // Meanwhile another user logs in from the same address, and the real carol
                    // from another address gets in after at most the account cap (20 ms here).
                    try (RawClient bob = RawClient.connect(server);
                            RawClient carol = new RawClient(server.host(), server.port(),
                                    server.tlsFingerprint(), InetAddress.getByName("127.0.0.2"))) {
                        assertEquals("bob", bob.loginOk("bob", PW).user());
                        assertEquals("carol", carol.loginOk("carol", PW).user());
                    }
                }
            }
        }
        // Attempt i (i failures before it) is checked min(40 ms, 5 ms * 2^(i-1)) after the previous
        // failure at the earliest. Seen from the client each gap may look shorter by the time an
        // answer took to arrive, but the gaps add up: the whole run takes at least the sum (less
        // one such delay, 50 ms allowed). A lower bound only, so a slow machine cannot break it.
        long total = 0;
        long expectedTotal = 0;
        for (int i = 1; i < 50; i++) {
            long expected = Math.min(40, 5L << Math.min(20, i - 1));
            total += gaps[i];
            expectedTotal += expected;
        }
        assertTrue(total >= Duration.ofMillis(expectedTotal - 50).toNanos(),
                "50 guesses took " + total / 1_000_000 + " ms; the policy asks for "
                        + expectedTotal + " ms");
        List<AuditEvent> rows = awaitAudit("carol", e -> "FLD".equals(e.getOutcome()), 50);
        assertTrue(rows.stream().allMatch(e -> e.getDetail().contains("bad credentials")));
    }

    @Test
    void aWaitLongerThanThePolicyAllowsIsRefusedAtOnceAndAudited() throws Exception {
        LoginThrottle.Policy strict = new LoginThrottle.Policy(Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(30), 50, Duration.ofSeconds(60),
                Duration.ofMinutes(10), Duration.ofSeconds(1));
        Path d = dir.resolve("strict");
        try (IdleServer s = start(d, TrustConfig.defaults().withIdentity(ServerIdentity.generate())
                .withThrottle(strict), Duration.ofSeconds(10))) {
            s.accounts().addUser("dave", PW.toCharArray(), false);
            try (RawClient c = RawClient.connect(s)) {
                Message.Failure first = assertInstanceOf(Message.Failure.class,
                        c.login("dave", "wrong"));
                assertEquals(FailureKind.BAD_CREDENTIALS, first.kind());
                long t0 = System.nanoTime();
                Message.Failure second = assertInstanceOf(Message.Failure.class,
                        c.login("dave", "wrong again"));
                assertEquals(FailureKind.THROTTLED, second.kind());
                assertTrue(second.reason().matches(".*try again in \\d+ s.*"), second.reason());
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(),
                        "refused at once, not after the 30 s wait");
                // Even the right password is refused while the wait lasts (no oracle).
                Message.Failure third = assertInstanceOf(Message.Failure.class,
                        c.login("dave", PW));
                assertEquals(FailureKind.THROTTLED, third.kind());
            }
            List<AuditEvent> rows = awaitAudit(s, "dave", e -> "FLD".equals(e.getOutcome()), 3);
            assertEquals(2, rows.stream().filter(e -> e.getDetail().contains("throttled")).count());
        }
    }

    // ---- connection limits ----------------------------------------------------------------

    @Test
    void beforeLoginFramesAreLimitedTo256KiB() throws Exception {
        try (RawClient c = RawClient.connect(server)) {
            byte[] header = {'G', 'P', 'W', 0, 0, 0, 0, 1, 0, 0x04, 0, 1}; // 256 KiB + 1
            c.sendRaw(header);
            Message.Illegal ilr = c.expect(0, Message.Illegal.class);
            assertTrue(ilr.reason().contains("outside 0..262144"), ilr.reason());
            assertTrue(c.closedByServer(RawClient.WAIT));
        }
        try (RawClient c = RawClient.connect(server)) { // after login, 4 MiB frames are fine
            c.loginOk("erin", PW);
            Message m = c.request(new Message.Admin(java.util.Collections.nCopies(9_000,
                    "x".repeat(60))));
            assertInstanceOf(Message.Illegal.class, m, "a 540 KB ADM from a non-admin: ILR#n");
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWithinItsDeadline() throws Exception {
        try (Socket raw = new Socket(server.host(), server.port())) {
            raw.setSoTimeout(30_000);
            long t0 = System.nanoTime();
            assertEquals(-1, raw.getInputStream().read(), "closed by the server");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= DEADLINE.toMillis() - 50, "not before the deadline: " + ms + " ms");
            assertTrue(ms < DEADLINE.toMillis() + 15_000, "closed in time: " + ms + " ms");
        }
        // After TLS and the hello, a client that never logs in is closed as well.
        try (RawClient c = RawClient.connect(server)) {
            long t0 = System.nanoTime();
            Message.Illegal ilr = c.expect(0, Message.Illegal.class);
            assertTrue(ilr.reason().contains("no login"), ilr.reason());
            assertTrue(c.closedByServer(RawClient.WAIT));
            assertTrue(System.nanoTime() - t0 < DEADLINE.toNanos() + 15_000_000_000L);
        }
    }

    @Test
    void thousandConnectionsFromOneAddressAreCappedWhileOthersAreServed() throws Exception {
        Path d = dir.resolve("caps");
        try (IdleServer s = IdleServer.start(config(d, TrustConfig.defaults().withIdentity(
                ServerIdentity.generate()), Duration.ofSeconds(60)).withMaxConnections(100,
                        10_000))) {
            s.accounts().addUser("erin", PW.toCharArray(), false);
            List<Socket> flood = new ArrayList<>();
            try {
                long before = s.acceptor().refusals();
                int resetAtConnect = 0;
                for (int i = 0; i < 1_000; i++) {
                    Socket x = new Socket();
                    try {
                        x.connect(new InetSocketAddress(s.host(), s.port()), 30_000);
                        flood.add(x);
                    } catch (IOException e) {
                        resetAtConnect++; // refused so fast that connect saw the reset
                        x.close();
                    }
                }
                int early = resetAtConnect;
                assertTrue(Poll.until(() -> s.acceptor().refusals() - before >= 900,
                        Duration.ofSeconds(60)), "refused: " + (s.acceptor().refusals() - before)
                                + " (" + early + " reset at connect)");
                assertEquals(100, s.acceptor().limiter().openFrom("127.0.0.1"));
                assertEquals(900, s.acceptor().refusals() - before);
                // A refused socket is closed at once (a reset or an end of stream).
                Socket last = flood.get(flood.size() - 1);
                last.setSoTimeout(30_000);
                assertTrue(endsOrResets(last.getInputStream()));
                // Another address is served normally meanwhile.
                try (RawClient other = new RawClient(s.host(), s.port(), s.tlsFingerprint(),
                        InetAddress.getByName("127.0.0.2"))) {
                    assertEquals("erin", other.loginOk("erin", PW).user());
                }
            } finally {
                for (Socket x : flood) {
                    x.close();
                }
            }
            assertTrue(Poll.until(() -> s.acceptor().limiter().openFrom("127.0.0.1") == 0,
                    Duration.ofSeconds(60)), "every slot is given back");
        }
    }

    private static boolean endsOrResets(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    @Test
    void aPeerThatDoesNotReadIsDroppedAtTheOutboxCapWithoutHurtingOthers() throws Exception {
        Socket raw = new Socket();
        raw.setReceiveBufferSize(4096);
        raw.connect(new InetSocketAddress(server.host(), server.port()), 30_000);
        Socket s = idle.shared.tls.TestTls.wrap(raw, server.host(), server.port(),
                server.tlsFingerprint());
        boolean dropped = false;
        try (s) {
            s.setSoTimeout(30_000);
            var out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            idle.shared.protocol.Handshake.writeHello(out);
            out.flush();
            // Heartbeats are answered in every phase; never read the answers.
            byte[] hbt = idle.shared.message.Codec.encode(1, new Message.Heartbeat(7)).payload();
            long t0 = System.nanoTime();
            for (int i = 0; i < 3_000_000 && System.nanoTime() - t0 < 60_000_000_000L; i++) {
                writeFrame(out, i + 1, hbt);
            }
            out.flush();
        } catch (IOException e) {
            dropped = true; // reset or broken pipe: the server dropped us
        }
        assertTrue(dropped, "the server dropped the peer that does not read");
        try (RawClient c = RawClient.connect(server)) {
            assertEquals("dave", c.loginOk("dave", PW).user());
        }
    }

    private static void writeFrame(java.io.OutputStream out, int id, byte[] payload)
            throws IOException {
        out.write(new byte[] {'H', 'B', 'T', 0, (byte) (id >>> 24), (byte) (id >>> 16),
            (byte) (id >>> 8), (byte) id, 0, 0, 0, (byte) payload.length});
        out.write(payload);
    }

    // ---- sessions -------------------------------------------------------------------------

    @Test
    void aDroppedSessionResumesWithItsTokenAndLogoutEndsIt() throws Exception {
        String token;
        try (RawClient a = RawClient.connect(server)) {
            Result.Session s = a.loginOk("alice", PW);
            token = s.resumeToken();
            assertEquals(43, token.length(), "256 bits, Base64url without padding");
        } // the connection drops without a logout
        String again;
        try (RawClient b = RawClient.connect(server)) {
            int id = b.nextId();
            b.send(id, new Message.Login("raw-test/1.0", token));
            Message.Success ok = b.expect(id, Message.Success.class);
            Result.Session s = assertInstanceOf(Result.Session.class, ok.result());
            assertEquals("alice", s.user());
            again = s.resumeToken();
            assertEquals(token, again);
            int out = b.nextId();
            b.send(out, new Message.Logout());
            b.expect(out, Message.Bye.class);
            assertTrue(b.closedByServer(RawClient.WAIT));
        }
        try (RawClient c = RawClient.connect(server)) {
            int id = c.nextId();
            c.send(id, new Message.Login("raw-test/1.0", again));
            c.expect(id, Message.UserId.class); // not resumed: asked for a name
        }
    }

    @Test
    void aSessionEndsAfterItsAbsoluteLifetime() throws Exception {
        Path d = dir.resolve("lifetime");
        try (IdleServer s = start(d, TrustConfig.defaults().withIdentity(ServerIdentity.generate())
                .withSessionLifetime(Duration.ofSeconds(2)), Duration.ofSeconds(10))) {
            s.accounts().addUser("alice", PW.toCharArray(), false);
            String token;
            try (RawClient c = RawClient.connect(s)) {
                c.heartbeats(Duration.ofMillis(500));
                token = c.loginOk("alice", PW).resumeToken();
                Message.Illegal end = c.awaitMessage(0, Message.Illegal.class);
                assertTrue(end.reason().contains("lifetime"), end.reason());
                assertTrue(c.closedByServer(RawClient.WAIT));
            }
            try (RawClient c = RawClient.connect(s)) {
                int id = c.nextId();
                c.send(id, new Message.Login("raw-test/1.0", token));
                c.expect(id, Message.UserId.class); // the token died with the session
            }
            List<AuditEvent> rows = awaitAudit(s, "alice", e -> "EXPIRE".equals(e.getCode()), 1);
            assertNotNull(rows.get(0));
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    List<AuditEvent> awaitAudit(String user, java.util.function.Predicate<AuditEvent> p, int n) {
        return awaitAudit(server, user, p, n);
    }

    static List<AuditEvent> awaitAudit(IdleServer s, String user,
            java.util.function.Predicate<AuditEvent> p, int n) {
        AtomicReference<List<AuditEvent>> rows = new AtomicReference<>(List.of());
        boolean ok = Poll.until(() -> {
            rows.set(s.database().inTransaction(tx -> tx.audit().latest(user, 10_000)).stream()
                    .filter(p).toList());
            return rows.get().size() >= n;
        }, Duration.ofSeconds(30));
        assertTrue(ok, "audit rows of " + user + ": " + rows.get().size() + " of " + n);
        assertFalse(rows.get().isEmpty());
        return rows.get();
    }
}
