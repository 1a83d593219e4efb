package idle.client.net;

import java.time.Duration;
import java.util.Objects;

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
 */
public record ConnectionOptions(String clientName, Duration connectTimeout,
        Duration heartbeatInterval, Duration silenceTimeout, boolean reconnect, Duration maxBackoff,
        Duration giveUpAfter) {
    public ConnectionOptions {
        Objects.requireNonNull(clientName);
        Objects.requireNonNull(connectTimeout);
        Objects.requireNonNull(heartbeatInterval);
        Objects.requireNonNull(silenceTimeout);
        Objects.requireNonNull(maxBackoff);
    }

    /** The defaults: 5 s heartbeats, 15 s silence, reconnect forever with up to 15 s between tries. */
    public static ConnectionOptions defaults() {
        return new ConnectionOptions("idle-cli/1.0", Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(15), true, Duration.ofSeconds(15), null);
    }

    public ConnectionOptions withClientName(String name) {
        return new ConnectionOptions(name, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, maxBackoff, giveUpAfter);
    }

    public ConnectionOptions withReconnect(boolean on) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                on, maxBackoff, giveUpAfter);
    }

    public ConnectionOptions withGiveUpAfter(Duration d) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, maxBackoff, d);
    }

    public ConnectionOptions withMaxBackoff(Duration d) {
        return new ConnectionOptions(clientName, connectTimeout, heartbeatInterval, silenceTimeout,
                reconnect, d, giveUpAfter);
    }

    public ConnectionOptions withHeartbeat(Duration interval, Duration silence) {
        return new ConnectionOptions(clientName, connectTimeout, interval, silence, reconnect,
                maxBackoff, giveUpAfter);
    }
}
