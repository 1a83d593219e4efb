package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.server.auth.LoginGate;
import idle.server.auth.LoginThrottle;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.protocol.Handshake;
import idle.shared.tls.ServerIdentity;
import idle.shared.tls.TestTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11 against the real server on real sockets: attacks on the way in (the TLS handshake, the
 * hello, the login). Each test is named after the hole it closes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileLoginTest {
    static final String PW = "s3cret-pass";
    /** The whole way in (TLS, hello, login) must fit in this. */
    static final Duration DEADLINE = Duration.ofMillis(1500);
    /** The trickle: well inside the per-read timeout, so only an overall deadline stops it. */
    static final Duration TRICKLE = Duration.ofMillis(200);
    static final Duration MARGIN = Duration.ofSeconds(4);

    Path dir;
    IdleServer tls;

    @BeforeAll
    void start() throws Exception {
        dir = TestDirs.fresh("hostile-login");
        tls = IdleServer.start(TrustTest.config(dir.resolve("tls"), TrustConfig.defaults()
                .withIdentity(ServerIdentity.generate()), DEADLINE));
        tls.accounts().addUser("alice", PW.toCharArray(), false);
    }

    @AfterAll
    void stop() throws Exception {
        tls.close();
        TestDirs.delete(dir);
    }

    // ---- hole 3: aliases, parallel guesses, login floods ---------------------------------

    /** 100 ms doubling up to 10 s per pair, 2 s per account; waits over 5 s are refused. */
    static final LoginThrottle.Policy SHORT = new LoginThrottle.Policy(Duration.ofMillis(100),
            Duration.ofSeconds(10), Duration.ofSeconds(2), 1_000, Duration.ofSeconds(10),
            Duration.ofMinutes(10), Duration.ofSeconds(5));

    static IdleServer throttled(Path d, LoginThrottle.Policy policy, int iterations)
            throws Exception {
        return IdleServer.start(TrustTest.config(d, TrustConfig.defaults().withIdentity(
                ServerIdentity.generate()).withThrottle(policy), Duration.ofSeconds(60))
                .withPbkdf2Iterations(iterations));
    }

    @Test
    void hole3AliasesOfANameCannotLogInAndShareItsThrottle() throws Exception {
        try (IdleServer s = throttled(dir.resolve("aliases"), SHORT, 1_000)) {
            s.accounts().addUser("alice", PW.toCharArray(), false);
            // Derby ignores trailing blanks when it compares: "alice " found alice's row.
            try (RawClient c = RawClient.connect(s)) {
                Message.Failure f = assertInstanceOf(Message.Failure.class,
                        c.login("alice ", PW), "an alias with the right password");
                assertEquals(FailureKind.BAD_CREDENTIALS, f.kind());
                assertEquals("wrong user name or password", f.reason(), "the generic answer");
            }
            // Every alias counts against alice: attempt k waits 100 ms * 2^(k-2) after the last.
            String[] aliases = {"alice  ", "ALICE", "Alice", "alice\t", "alice   "};
            long t0 = System.nanoTime();
            for (String a : aliases) {
                try (RawClient c = RawClient.connect(s)) {
                    Message.Failure f = assertInstanceOf(Message.Failure.class,
                            c.login(a, "wrong"), "alias '" + a + "'");
                    assertEquals(FailureKind.BAD_CREDENTIALS, f.kind(), "alias '" + a + "'");
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long expected = 100 + 200 + 400 + 800 + 1600; // after 1, 2, 3, 4, 5 failures
            assertTrue(ms >= expected - 100, "6 failures under one name took " + ms
                    + " ms; the policy asks for " + expected + " ms");
            // alice herself, from another address, waits at most the account cap and gets in.
            try (RawClient c = new RawClient(s.host(), s.port(), s.tlsFingerprint(),
                    InetAddress.getByName("127.0.0.2"))) {
                assertEquals("alice", c.loginOk("alice", PW).user());
            }
            // Names outside the alphabet cannot be created either (locally or by ADM).
            org.junit.jupiter.api.Assertions.assertThrows(
                    idle.server.auth.Accounts.AccountException.class,
                    () -> s.accounts().addUser("bob ", PW.toCharArray(), false));
            org.junit.jupiter.api.Assertions.assertThrows(
                    idle.server.auth.Accounts.AccountException.class,
                    () -> s.accounts().addUser("ALICE", PW.toCharArray(), false),
                    "a name that differs from alice only in case");
        }
    }

    @Test
    void hole3TenParallelWrongPasswordsAreThrottledAsIfOneAfterTheOther() throws Exception {
        try (IdleServer s = throttled(dir.resolve("parallel"), SHORT, 1_000)) {
            s.accounts().addUser("carol", PW.toCharArray(), false);
            List<RawClient> cs = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    RawClient c = RawClient.connect(s);
                    cs.add(c);
                    ids.add(readyForPassword(c, "carol"));
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    cs.get(i).send(ids.get(i), new Message.Password("guess-" + i));
                }
                int throttledCount = 0;
                long lastWrong = 0;
                for (int i = 0; i < 10; i++) {
                    Message.Failure f = assertInstanceOf(Message.Failure.class,
                            cs.get(i).next(ids.get(i)));
                    if (f.kind() == FailureKind.THROTTLED) {
                        throttledCount++;
                    } else if (f.kind() != FailureKind.BUSY) { // busy: never checked at all
                        assertEquals(FailureKind.BAD_CREDENTIALS, f.kind());
                        lastWrong = Math.max(lastWrong, System.nanoTime() - t0);
                    }
                }
                // In flight they count as failures: waits 0, 100, 200 ... 3200 ms, then past the
                // 5 s the policy allows, refused at once.
                assertTrue(throttledCount >= 2, throttledCount + " of 10 refused as throttled");
                assertTrue(lastWrong >= Duration.ofMillis(3000).toNanos(), "the last wrong "
                        + "password was checked after " + lastWrong / 1_000_000 + " ms");
            } finally {
                cs.forEach(RawClient::close);
            }
        }
    }

    @Test
    void hole3ALoginFloodDoesNotStarveALoggedInClientAndTheExcessIsRefusedAsBusy()
            throws Exception {
        int flood = 50;
        LoginThrottle.Policy lenient = new LoginThrottle.Policy(Duration.ofMillis(1),
                Duration.ofMillis(10), Duration.ofMillis(10), 10_000, Duration.ofMillis(10),
                Duration.ofMinutes(10), Duration.ofSeconds(5));
        // The real cost: 600,000 PBKDF2 iterations per check.
        try (IdleServer s = throttled(dir.resolve("flood"), lenient,
                ServerConfig.PBKDF2_ITERATIONS)) {
            s.accounts().addUser("bob", PW.toCharArray(), false);
            List<RawClient> cs = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            try (RawClient bob = RawClient.connect(s)) {
                bob.loginOk("bob", PW);
                for (int i = 0; i < flood; i++) {
                    RawClient c = RawClient.connect(s);
                    cs.add(c);
                    ids.add(readyForPassword(c, "flood" + i));
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < flood; i++) {
                    cs.get(i).send(ids.get(i), new Message.Password("guess"));
                }
                long[] arrived = new long[flood];
                Message[] answers = new Message[flood];
                CountDownLatch all = new CountDownLatch(flood);
                for (int i = 0; i < flood; i++) {
                    int k = i;
                    Thread.ofVirtual().start(() -> {
                        try {
                            answers[k] = cs.get(k).next(ids.get(k));
                            arrived[k] = System.nanoTime() - t0;
                        } finally {
                            all.countDown();
                        }
                    });
                }
                // Meanwhile bob's heartbeats and requests are answered promptly.
                long worst = 0;
                int rounds = 0;
                long giveUp = t0 + Duration.ofSeconds(120).toNanos();
                while (all.getCount() > 0 && System.nanoTime() < giveUp) {
                    long r0 = System.nanoTime();
                    Message m = rounds % 2 == 0 ? bob.request(new Message.Heartbeat(rounds))
                            : bob.request(new Message.PoolQuery());
                    worst = Math.max(worst, System.nanoTime() - r0);
                    assertTrue(m instanceof Message.Ack || m instanceof Message.Success, "" + m);
                    rounds++;
                }
                assertTrue(all.await(1, TimeUnit.SECONDS), "every attempt was answered");
                assertTrue(worst < Duration.ofMillis(1000).toNanos(), "bob waited up to "
                        + worst / 1_000_000 + " ms for an answer during the flood (" + rounds
                        + " rounds)");
                int busy = 0;
                for (int i = 0; i < flood; i++) {
                    Message.Failure f = assertInstanceOf(Message.Failure.class, answers[i]);
                    if (f.kind() == FailureKind.BUSY) {
                        assertTrue(f.reason().contains("busy"), f.reason());
                        assertTrue(arrived[i] < Duration.ofSeconds(2).toNanos(), "refused "
                                + "as busy after " + arrived[i] / 1_000_000 + " ms");
                        busy++;
                    } else {
                        assertEquals(FailureKind.BAD_CREDENTIALS, f.kind(), f.reason());
                    }
                }
                int admitted = 2 * LoginGate.defaultWorkers();
                System.out.println("login flood: " + busy + " of " + flood + " refused as busy; "
                        + "a logged-in client waited at most " + worst / 1_000_000 + " ms in "
                        + rounds + " rounds");
                assertTrue(busy >= flood - admitted - 5, busy + " of " + flood
                        + " refused as busy; at most " + admitted + " may be checked at a time");
            } finally {
                cs.forEach(RawClient::close);
            }
            try (RawClient again = RawClient.connect(s)) {
                assertEquals("bob", again.loginOk("bob", PW).user(), "bob can log in after it");
            }
        }
    }

    /** LCS and GID: returns the request id, at which the server now waits for the password. */
    private static int readyForPassword(RawClient c, String user) {
        int id = c.nextId();
        c.send(id, new Message.Login("raw-test/1.0", null));
        c.expect(id, Message.UserId.class);
        c.send(id, new Message.UserId(user));
        c.expect(id, Message.Password.class);
        return id;
    }

    // ---- hole 10: one deadline for the whole way in -----------------------------------------

    @Test
    void hole10ATlsClientHelloTrickledByteByByteIsCutAtTheOverallDeadline() throws Exception {
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(tls.host(), tls.port()), 30_000);
            long t0 = System.nanoTime();
            // A TLS handshake record announcing 16 KiB, then one byte at a time.
            raw.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x40, 0x00});
            assertCutAtTheDeadline(raw, raw.getInputStream(), raw.getOutputStream(), t0);
        }
    }

    @Test
    void hole10BALoginFrameTrickledAfterTlsAndHelloIsCutAtTheOverallDeadline() throws Exception {
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(tls.host(), tls.port()), 30_000);
            long t0 = System.nanoTime();
            Socket s = TestTls.wrap(raw, tls.host(), tls.port(), tls.tlsFingerprint());
            Handshake.writeHello(s.getOutputStream());
            // An LCS header announcing 1000 bytes of payload; the payload comes a byte at a time.
            s.getOutputStream().write(new byte[] {'L', 'C', 'S', 0, 0, 0, 0, 1, 0, 0, 3, (byte) 0xe8});
            s.getOutputStream().flush();
            assertCutAtTheDeadline(raw, s.getInputStream(), s.getOutputStream(), t0);
        }
    }

    @Test
    void hole10CTheHelloTrickledOnAPlaintextServerIsCutAtTheOverallDeadline() throws Exception {
        try (IdleServer plain = IdleServer.start(TrustTest.config(dir.resolve("plain"),
                TrustConfig.defaults().withInsecurePlaintext(), DEADLINE));
                Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(plain.host(), plain.port()), 30_000);
            long t0 = System.nanoTime();
            // The 8-byte hello, then a frame header, then its payload: all a byte at a time.
            assertCutAtTheDeadline(raw, raw.getInputStream(), raw.getOutputStream(), t0);
        }
    }

    /**
     * Trickles a byte every {@link #TRICKLE} on {@code out} until the server ends the connection,
     * and checks that it did so at the overall deadline (counted from {@code t0}, the connect).
     */
    private static void assertCutAtTheDeadline(Socket raw, InputStream in, OutputStream out,
            long t0) throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        long[] endedAt = new long[1];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                byte[] b = new byte[256];
                while (in.read(b) >= 0) {
                    // an ILR before the close is fine; keep reading until the end
                }
            } catch (IOException e) {
                // reset or closed: ended either way
            }
            endedAt[0] = System.nanoTime();
            ended.countDown();
        });
        long stopAt = t0 + DEADLINE.plus(MARGIN).toNanos();
        byte[] trickle = Handshake.hello(Handshake.VERSION);
        int i = 0;
        try {
            while (ended.getCount() > 0 && System.nanoTime() < stopAt) {
                out.write(i < trickle.length ? trickle[i] : 'x');
                out.flush();
                i++;
                ended.await(TRICKLE.toMillis(), TimeUnit.MILLISECONDS); // the attacker's pace
            }
        } catch (IOException e) {
            // the server closed: the reader sees it too
        }
        boolean cut = ended.await(2, TimeUnit.SECONDS);
        raw.close();
        reader.join();
        long ms = ((cut ? endedAt[0] : System.nanoTime()) - t0) / 1_000_000;
        assertTrue(cut, "still open after " + ms + " ms and " + i + " trickled bytes; the "
                + "deadline is " + DEADLINE.toMillis() + " ms");
        assertTrue(ms >= DEADLINE.toMillis() - 100, "not before the deadline: " + ms + " ms");
        assertTrue(ms <= DEADLINE.plus(MARGIN).toMillis(), "at the deadline: " + ms + " ms");
    }
}
