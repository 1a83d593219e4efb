package idle.shared.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * A client trust manager that trusts a server by its pinned public key, not by a certificate
 * authority: on first use it asks {@link FirstUse} whether to accept (and pin) the key; afterwards
 * any other key fails with {@link PinMismatchException}. The JDK wraps trust failures in an
 * {@code SSLHandshakeException}, so the failure is also kept in {@link #failure()} for the
 * connection code to report plainly.
 *
 * <p>One instance per connection attempt (it remembers that attempt's failure).
 */
public final class PinningTrustManager implements X509TrustManager {
    /** Decides whether to trust a server seen for the first time. Called on the connecting thread. */
    @FunctionalInterface
    public interface FirstUse {
        boolean accept(String hostPort, String fingerprint);
    }

    private final KnownServers known;
    private final String hostPort;
    private final FirstUse firstUse;
    private volatile CertificateException failure;
    private volatile String fingerprint;

    public PinningTrustManager(KnownServers known, String hostPort, FirstUse firstUse) {
        this.known = known;
        this.hostPort = hostPort;
        this.firstUse = firstUse;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw remember(new CertificateException("the server presented no certificate"));
        }
        String presented = KeyFingerprint.of(chain[0].getPublicKey());
        fingerprint = presented;
        var pinned = known.pinFor(hostPort);
        if (pinned.isPresent()) {
            if (!pinned.get().equals(presented)) {
                throw remember(new PinMismatchException(hostPort, pinned.get(), presented,
                        known.file()));
            }
            return;
        }
        if (!firstUse.accept(hostPort, presented)) {
            throw remember(new CertificateException("the key of " + hostPort + " ("
                    + presented + ") was not accepted"));
        }
        known.pin(hostPort, presented);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
        throw new CertificateException("IDLE clients do not authenticate with certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    /** Why this attempt's server was not trusted, or null. */
    public CertificateException failure() {
        return failure;
    }

    /** The fingerprint the server presented in this attempt, or null before the handshake. */
    public String fingerprint() {
        return fingerprint;
    }

    private CertificateException remember(CertificateException e) {
        failure = e;
        return e;
    }
}
