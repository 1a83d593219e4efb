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
