package idle.server;

import idle.server.auth.LoginThrottle;
import idle.shared.tls.ServerIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Objects;

/**
 * The server's defences, in one place: TLS and where its key comes from, login throttling, the
 * outbox cap and the sessions' absolute lifetime (the connection caps and the login deadline
 * are {@link ServerConfig}'s own). Part of
 * {@link ServerConfig} ({@link ServerConfig#trust()}); build with {@link #defaults()} and the
 * {@code with...} methods.
 *
 * @param tls TLS 1.3 on the wire (the default); false only with {@code --insecure-plaintext}
 * @param identity a key and certificate to use as is (tests, embedding); null: see below
 * @param certFile with {@code keyFile}: a PEM certificate chain provided by the admin
 * @param keyFile with {@code certFile}: its PEM PKCS#8 private key
 * @param keystore a PKCS#12 (or JKS) keystore provided by the admin
 * @param keystorePasswordFile the first line is the keystore's password
 * @param throttle the login throttling policy (small times in tests)
 * @param maxQueuedBytes bytes the server may have queued for one peer that does not read; past
 *     it the peer is dropped (windowed transfers keep honest peers far below)
 * @param sessionLifetime a login is good for this long, connected or resumed, then the client
 *     must log in again with its password
 */
public record TrustConfig(boolean tls, ServerIdentity identity, Path certFile, Path keyFile,
        Path keystore, Path keystorePasswordFile, LoginThrottle.Policy throttle,
        long maxQueuedBytes, Duration sessionLifetime) {

    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L << 20;
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(24);

    public TrustConfig {
        Objects.requireNonNull(throttle, "throttle");
        Objects.requireNonNull(sessionLifetime, "sessionLifetime");
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (keystore != null && certFile != null) {
            throw new IllegalArgumentException("use either --tls-keystore or --tls-cert/--tls-key");
        }
        if (maxQueuedBytes < 64 * 1024) {
            throw new IllegalArgumentException("maxQueuedBytes must be at least 64 KiB");
        }
        if (sessionLifetime.isNegative() || sessionLifetime.isZero()) {
            throw new IllegalArgumentException("sessionLifetime must be positive");
        }
    }

    /** TLS with a key made in the data directory, the standard throttle, 64 MiB, 24 h. */
    public static TrustConfig defaults() {
        return new TrustConfig(true, null, null, null, null, null, LoginThrottle.Policy.standard(),
                DEFAULT_MAX_QUEUED_BYTES, DEFAULT_SESSION_LIFETIME);
    }

    /**
     * The server's TLS identity: the one given, else the admin's PEM files or keystore, else the
     * one in {@code dataDir/tls} (created on first use).
     */
    public ServerIdentity loadIdentity(Path dataDir) throws IOException, GeneralSecurityException {
        if (identity != null) {
            return identity;
        }
        if (keystore != null) {
            char[] pw = keystorePasswordFile == null ? new char[0]
                    : firstLine(keystorePasswordFile).toCharArray();
            return ServerIdentity.fromKeystore(keystore, pw);
        }
        if (certFile != null) {
            return ServerIdentity.fromPem(certFile, keyFile);
        }
        return ServerIdentity.loadOrCreate(dataDir);
    }

    private static String firstLine(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        s = nl >= 0 ? s.substring(0, nl) : s;
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** Plaintext on the wire: for tests and trusted networks only (the CLI warns). */
    public TrustConfig withInsecurePlaintext() {
        return new TrustConfig(false, null, null, null, null, null, throttle,
                maxQueuedBytes, sessionLifetime);
    }

    public TrustConfig withIdentity(ServerIdentity v) {
        return new TrustConfig(true, v, null, null, null, null, throttle,
                maxQueuedBytes, sessionLifetime);
    }

    public TrustConfig withPem(Path cert, Path key) {
        return new TrustConfig(true, null, cert, key, null, null, throttle,
                maxQueuedBytes, sessionLifetime);
    }

    public TrustConfig withKeystore(Path store, Path passwordFile) {
        return new TrustConfig(true, null, null, null, store, passwordFile, throttle,
                maxQueuedBytes, sessionLifetime);
    }

    public TrustConfig withThrottle(LoginThrottle.Policy v) {
        return new TrustConfig(tls, identity, certFile, keyFile, keystore, keystorePasswordFile, v,
                maxQueuedBytes, sessionLifetime);
    }

    public TrustConfig withMaxQueuedBytes(long v) {
        return new TrustConfig(tls, identity, certFile, keyFile, keystore, keystorePasswordFile,
                throttle, v, sessionLifetime);
    }

    public TrustConfig withSessionLifetime(Duration v) {
        return new TrustConfig(tls, identity, certFile, keyFile, keystore, keystorePasswordFile,
                throttle, maxQueuedBytes, v);
    }
}
