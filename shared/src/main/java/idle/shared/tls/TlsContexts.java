package idle.shared.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * TLS 1.3 only, from the JDK. The server side wraps an accepted socket after peeking that the
 * client starts a TLS handshake (so a plaintext IDLE client can be told clearly that TLS is
 * required); the client side trusts by pin ({@link PinningTrustManager}).
 */
public final class TlsContexts {
    /** The only protocol offered or accepted. */
    public static final String PROTOCOL = "TLSv1.3";
    /** First byte of a TLS record carrying a handshake (a ClientHello starts with it). */
    public static final int TLS_HANDSHAKE_RECORD = 0x16;

    private TlsContexts() {
    }

    public static SSLContext server(ServerIdentity identity) throws GeneralSecurityException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("idle", identity.key(), pw, identity.chain());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(
                    KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance(PROTOCOL);
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ctx;
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot build the key store", e);
        }
    }

    public static SSLContext client(PinningTrustManager trust) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance(PROTOCOL);
        ctx.init(null, new TrustManager[] {trust}, new SecureRandom());
        return ctx;
    }

    /**
     * Server side: starts TLS on an accepted socket whose first bytes ({@code consumed}) were
     * already read to peek at them. Blocks for the handshake (set a socket timeout first).
     */
    public static SSLSocket acceptTls(SSLContext ctx, Socket accepted, InputStream consumed)
            throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(accepted, consumed, true);
        s.setUseClientMode(false);
        s.setEnabledProtocols(new String[] {PROTOCOL});
        s.startHandshake();
        return s;
    }

    /**
     * Client side, the way IDLE clients connect: TLS 1.3 over {@code connected}, trusting the
     * server by the key pinned for {@code host:port} in {@code known} (asking {@code firstUse}
     * for a server seen the first time). Blocks for the handshake (set a socket timeout first).
     *
     * @throws TlsFailure with a message for people: {@code KEY_CHANGED} (the pin mismatch
     *     message, how to check and replace the pin), {@code KEY_NOT_ACCEPTED},
     *     {@code SERVER_NOT_TLS} (a plaintext IDLE server answers there), {@code HANDSHAKE}
     * @throws IOException when the connection fails otherwise
     */
    public static SSLSocket connectPinned(Socket connected, String host, int port,
            KnownServers known, PinningTrustManager.FirstUse firstUse) throws IOException {
        String hostPort = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        PinningTrustManager tm = new PinningTrustManager(known, hostPort, firstUse);
        SSLContext ctx;
        try {
            ctx = client(tm);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS is not available in this Java runtime: " + e.getMessage(), e);
        }
        try {
            return connectTls(ctx, connected, host, port);
        } catch (javax.net.ssl.SSLException e) {
            int timeout = 5000;
            try {
                timeout = connected.getSoTimeout();
            } catch (IOException ignored) {
                // closed already: the default
            }
            closeQuietly(connected);
            var why = tm.failure();
            if (why instanceof PinMismatchException pm) {
                throw new TlsFailure(TlsFailure.Kind.KEY_CHANGED, pm.getMessage(), pm);
            }
            if (why != null) {
                throw new TlsFailure(TlsFailure.Kind.KEY_NOT_ACCEPTED, why.getMessage(), why);
            }
            if (speaksPlaintextIdle(host, port, timeout)) {
                throw new TlsFailure(TlsFailure.Kind.SERVER_NOT_TLS, "the IDLE server at "
                        + hostPort + " does not use TLS (it runs with --insecure-plaintext). "
                        + "Connect with --insecure-plaintext only on a network you trust, or ask "
                        + "its admin to turn TLS on.", e);
            }
            throw new TlsFailure(TlsFailure.Kind.HANDSHAKE, "the service at " + hostPort
                    + " is not an IDLE server speaking TLS 1.3 (the TLS handshake failed: "
                    + e.getMessage() + ")", e);
        }
    }

    /** Whether a plaintext IDLE server answers at host:port (a second, short connection). */
    private static boolean speaksPlaintextIdle(String host, int port, int timeoutMillis) {
        try (Socket s = new Socket()) {
            int t = timeoutMillis > 0 ? Math.min(timeoutMillis, 5000) : 5000;
            s.connect(new java.net.InetSocketAddress(host, port), t);
            s.setSoTimeout(t);
            s.getOutputStream().write(idle.shared.protocol.Handshake.hello(
                    idle.shared.protocol.Handshake.VERSION));
            s.getOutputStream().flush();
            byte[] b = s.getInputStream().readNBytes(4);
            return b.length == 4 && b[0] == 'I' && b[1] == 'D' && b[2] == 'L' && b[3] == 'E';
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Client side: starts TLS over a connected socket. Blocks for the handshake. */
    public static SSLSocket connectTls(SSLContext ctx, Socket connected, String host, int port)
            throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(connected, host, port, true);
        s.setUseClientMode(true);
        s.setEnabledProtocols(new String[] {PROTOCOL});
        s.startHandshake();
        return s;
    }
}
