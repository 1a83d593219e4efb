package idle.shared.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client's pins, SSH-style: one line per server, {@code host:port SHA256:...}, in a file in the
 * user's IDLE directory (normally {@code ~/.idle/client/known_servers}). Lines starting with
 * {@code #} are comments. Writes replace the file atomically.
 *
 * <p>Thread-safe within one process (methods are synchronized); two processes pinning the same
 * new server at the same moment both write the same pin.
 */
public final class KnownServers {
    private final Path file;

    public KnownServers(Path file) {
        this.file = file;
    }

    /**
     * The user's pin file: {@code $IDLE_HOME/client/known_servers}, where {@code IDLE_HOME}
     * defaults to {@code ~/.idle} (the same directory the workbench and the lender use).
     */
    public static Path defaultFile() {
        return idleHome().resolve("client").resolve("known_servers");
    }

    /** {@code $IDLE_HOME}, else {@code ~/.idle}. */
    public static Path idleHome() {
        String home = System.getenv("IDLE_HOME");
        return home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".idle");
    }

    public Path file() {
        return file;
    }

    /** The pinned fingerprint for {@code hostPort}, or empty when the server is new to us. */
    public synchronized Optional<String> pinFor(String hostPort) {
        return Optional.ofNullable(read().get(hostPort));
    }

    /** Pins {@code fingerprint} for {@code hostPort}, replacing an earlier pin. */
    public synchronized void pin(String hostPort, String fingerprint) {
        Map<String, String> pins = read();
        pins.put(hostPort, fingerprint);
        write(pins);
    }

    /** Forgets the pin of {@code hostPort}; true when there was one. */
    public synchronized boolean forget(String hostPort) {
        Map<String, String> pins = read();
        boolean had = pins.remove(hostPort) != null;
        if (had) {
            write(pins);
        }
        return had;
    }

    private Map<String, String> read() {
        Map<String, String> pins = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return pins;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] parts = t.split("\\s+");
                if (parts.length >= 2) {
                    pins.put(parts[0], parts[1]);
                }
            }
            return pins;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void write(Map<String, String> pins) {
        StringBuilder sb = new StringBuilder(
                "# IDLE servers whose TLS key this user accepted: host:port fingerprint\n");
        pins.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
