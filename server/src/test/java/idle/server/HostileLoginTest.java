package idle.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.protocol.Handshake;
import idle.shared.tls.ServerIdentity;
import idle.shared.tls.TestTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
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
