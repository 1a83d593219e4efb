package idle.shared.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For tests of other modules: wraps a connected socket in TLS 1.3 trusting exactly one key
 * fingerprint (what a client that pinned the server would do), through the real
 * {@link TlsContexts#connectPinned}.
 */
public final class TestTls {
    private TestTls() {
    }

    /**
     * TLS over {@code raw} when {@code fingerprint} is not null (else {@code raw} itself).
     *
     * @throws TlsFailure when the server presents another key
     */
    public static Socket wrap(Socket raw, String host, int port, String fingerprint)
            throws IOException {
        if (fingerprint == null) {
            return raw;
        }
        KnownServers known = new KnownServers(tempPins());
        known.pin(host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port,
                fingerprint);
        try {
            return TlsContexts.connectPinned(raw, host, port, known, (h, f) -> false);
        } finally {
            Files.deleteIfExists(known.file());
        }
    }

    private static Path tempPins() {
        try {
            Path dir = Files.createTempDirectory("idle-pins");
            dir.toFile().deleteOnExit();
            return dir.resolve("known_servers");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
