package idle.client.net;

import idle.shared.tls.KnownServers;
import idle.shared.tls.PinningTrustManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * How a {@link ServerConnection} behaves.
 *
 * @param clientName sent in {@code LCS}, like "idle-cli/1.0"
 * @param connectTimeout for opening the socket and for each step of the login
 * @param heartbeatInterval how often a heartbeat is sent (the design says 5 s)
 * @param silenceTimeout a connection that received nothing for this long is dropped (15 s)
 * @param reconnect whether to reconnect after a drop
 * @param maxBackoff the longest wait between two reconnect attempts
 * @param giveUpAfter stop reconnecting after this long without success (null: never)
 * @param insecurePlaintext no TLS (only for a server run with {@code --insecure-plaintext});
 *     passwords and scripts then cross the network in clear
 * @param knownServers the pin file, normally {@code $IDLE_HOME/client/known_servers}
 * @param firstUse asked whether to trust (and pin) a server's key seen for the first time, with
 *     its {@code host:port} and fingerprint; called on the connecting thread (a UI must hop to
 *     its own thread and wait for the user's answer). A key that differs from its pin is refused
 *     without asking ({@link ConnectException.Reason#UNTRUSTED}).
 */
public record ConnectionOptions(String clientName, Duration connectTimeout,
        Duration heartbeatInterval, Duration silenceTimeout, boolean reconnect, Duration maxBackoff,
        Duration giveUpAfter, boolean insecurePlaintext, Path knownServers,
        PinningTrustManager.FirstUse firstUse) {
    /** Pins a new server's key without asking (like ssh's accept-new) and logs it. */
    public static final PinningTrustManager.FirstUse ACCEPT_NEW = (hostPort, fingerprint) -> {
        Logger.getLogger(ConnectionOptions.class.getName()).info(() -> "first connection to "
                + hostPort + ": pinned its TLS key " + fingerprint);
        return true;
    };

    public ConnectionOptions {
        Objects.requireNonNull(knownServers, "knownServers");
        Objects.requireNonNull(firstUse, "firstUse");
        Objects.requireNonNull(clientName);
        Objects.requireNonNull(connectTimeout);
        Objects.requireNonNull(heartbeatInterval);
        Objects.requireNonNull(silenceTimeout);
        Objects.requireNonNull(maxBackoff);
    }

    /**
     * The defaults: TLS pinned in {@link KnownServers#defaultFile()} with new keys accepted
     * ({@link #ACCEPT_NEW}), 5 s heartbeats, 15 s silence, reconnect forever with up to 15 s
     * between tries.
     */
    public static ConnectionOptions defaults() {
        return new ConnectionOptions("idle-cli/1.0", Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(15), true, Duration.ofSeconds(15), null, false,
                KnownServers.defaultFile(), ACCEPT_NEW);
    }

    /** Plaintext (true) or TLS (false, the default). */
    public ConnectionOptions withInsecurePlaintext(boolean on) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, maxBackoff, giveUpAfter, on, knownServers, firstUse);
    }

    public ConnectionOptions withKnownServers(Path file) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, maxBackoff, giveUpAfter, insecurePlaintext, file, firstUse);
    }

    /** Who decides about a server's key seen for the first time (a dialog in the workbench). */
    public ConnectionOptions withFirstUse(PinningTrustManager.FirstUse f) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, maxBackoff, giveUpAfter, insecurePlaintext, knownServers, f);
    }

    public ConnectionOptions withClientName(String name) {
        return new ConnectionOptions(name, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, maxBackoff, giveUpAfter, insecurePlaintext, knownServers, firstUse);
    }

    public ConnectionOptions withReconnect(boolean on) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                on, maxBackoff, giveUpAfter, insecurePlaintext, knownServers, firstUse);
    }

    public ConnectionOptions withGiveUpAfter(Duration d) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, maxBackoff, d, insecurePlaintext, knownServers, firstUse);
    }

    public ConnectionOptions withMaxBackoff(Duration d) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, d, giveUpAfter, insecurePlaintext, knownServers, firstUse);
    }

    public ConnectionOptions withHeartbeat(Duration interval, Duration silence) {
        return new ConnectionOptions(clientName, connectTimeout, interval, silence, reconnect,
                maxBackoff, giveUpAfter, insecurePlaintext, knownServers, firstUse);
    }
}
