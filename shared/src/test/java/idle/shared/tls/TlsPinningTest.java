package idle.shared.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 handshakes on loopback between a self-signed server key and pinning clients. */
class TlsPinningTest {
    @TempDir
    static Path dir;
    static ServerIdentity first;
    static ServerIdentity second;

    @BeforeAll
    static void keys() throws Exception {
        first = ServerIdentity.loadOrCreate(dir.resolve("a"));
        second = ServerIdentity.loadOrCreate(dir.resolve("b"));
    }

    @Test
    void keyIsCreatedOnceAndReusedWithOwnerOnlyFiles() throws Exception {
        ServerIdentity again = ServerIdentity.loadOrCreate(dir.resolve("a"));
        assertEquals(first.fingerprint(), again.fingerprint());
        assertNotEquals(first.fingerprint(), second.fingerprint());
        assertTrue(first.fingerprint().startsWith("SHA256:"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("a/tls/server-key.pem"))));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("a/tls"))));
    }

    /**
     * A data directory made before the PEM files kept its key in a PKCS#12 keystore with the
     * password beside it: the same key is read from it, written out as PEM once, and read from
     * the PEM files after that (the keystore may even go).
     */
    @Test
    void anOlderDirectorysKeystoreIsConvertedOnceAndKeepsTheFingerprint() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("old/tls"));
        ServerIdentity old = ServerIdentity.generate();
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "0123456789abcdef".toCharArray();
        ks.setKeyEntry("idle-server", old.key(), pw, old.chain());
        try (var out = Files.newOutputStream(tls.resolve("server.p12"))) {
            ks.store(out, pw);
        }
        Files.writeString(tls.resolve("server.pass"), new String(pw) + "\n");

        assertEquals(old.fingerprint(), ServerIdentity.loadOrCreate(dir.resolve("old"))
                .fingerprint());
        assertTrue(Files.exists(tls.resolve("server-key.pem")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tls.resolve("server-key.pem"))));
        Files.delete(tls.resolve("server.p12"));
        Files.delete(tls.resolve("server.pass"));
        ServerIdentity again = ServerIdentity.loadOrCreate(dir.resolve("old"));
        assertEquals(old.fingerprint(), again.fingerprint());
        assertEquals(old.key(), again.key());
    }

    @Test
    void handshakeIsTls13AndPinsOnFirstUse() throws Exception {
        KnownServers known = new KnownServers(dir.resolve("pins1/known_servers"));
        AtomicInteger asked = new AtomicInteger();
        try (ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String hp = "127.0.0.1:" + ss.getLocalPort();
            for (int round = 0; round < 2; round++) {
                CompletableFuture<String> served = serveOnce(ss, first);
                PinningTrustManager tm = new PinningTrustManager(known, hp, (h, fp) -> {
                    asked.incrementAndGet();
                    return true;
                });
                try (SSLSocket s = connect(ss.getLocalPort(), tm)) {
                    assertEquals("TLSv1.3", s.getSession().getProtocol());
                    s.getOutputStream().write('x');
                    s.getOutputStream().flush();
                    assertEquals("TLSv1.3", served.get(20, TimeUnit.SECONDS));
                }
            }
            assertEquals(1, asked.get(), "asked only the first time");
            assertEquals(first.fingerprint(), known.pinFor(hp).orElseThrow());
        }
    }

    @Test
    void changedKeyIsAHardFailureWithAClearMessage() throws Exception {
        KnownServers known = new KnownServers(dir.resolve("pins2/known_servers"));
        try (ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String hp = "127.0.0.1:" + ss.getLocalPort();
            known.pin(hp, first.fingerprint());
            serveOnce(ss, second);
            PinningTrustManager tm = new PinningTrustManager(known, hp, (h, fp) -> true);
            assertThrows(SSLHandshakeException.class, () -> connect(ss.getLocalPort(), tm).close());
            PinMismatchException e = assertInstanceOf(PinMismatchException.class, tm.failure());
            assertEquals(second.fingerprint(), e.presented());
            assertTrue(e.getMessage().contains("CHANGED"));
            assertTrue(e.getMessage().contains(known.file().toString()));
            assertEquals(first.fingerprint(), known.pinFor(hp).orElseThrow(), "pin unchanged");
        }
    }

    @Test
    void refusedFirstUseIsNotPinned() throws Exception {
        KnownServers known = new KnownServers(dir.resolve("pins3/known_servers"));
        try (ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String hp = "127.0.0.1:" + ss.getLocalPort();
            serveOnce(ss, first);
            PinningTrustManager tm = new PinningTrustManager(known, hp, (h, fp) -> false);
            assertThrows(SSLHandshakeException.class, () -> connect(ss.getLocalPort(), tm).close());
            assertTrue(known.pinFor(hp).isEmpty());
        }
    }

    private static SSLSocket connect(int port, PinningTrustManager tm) throws Exception {
        Socket raw = new Socket(InetAddress.getLoopbackAddress(), port);
        raw.setSoTimeout(20_000);
        return TlsContexts.connectTls(TlsContexts.client(tm), raw, "127.0.0.1", port);
    }

    private static CompletableFuture<String> serveOnce(ServerSocket ss, ServerIdentity id)
            throws Exception {
        SSLContext ctx = TlsContexts.server(id);
        return CompletableFuture.supplyAsync(() -> {
            try (Socket raw = ss.accept()) {
                raw.setSoTimeout(20_000);
                InputStream in = raw.getInputStream();
                int b = in.read();
                assertEquals(TlsContexts.TLS_HANDSHAKE_RECORD, b);
                SSLSocket s = TlsContexts.acceptTls(ctx, raw,
                        new java.io.ByteArrayInputStream(new byte[] {(byte) b}));
                assertEquals('x', s.getInputStream().read());
                return s.getSession().getProtocol();
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
    }
}
