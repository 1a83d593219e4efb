package idle.client.net;

import idle.shared.message.Message;
import java.io.IOException;

/**
 * Receives the frames of one exchange (every frame carrying its request id). Called on the
 * connection's reader thread, in arrival order: return quickly, never block on the network.
 */
public interface ExchangeHandler {
    /** A message of this exchange arrived. The handler may answer through {@code exchange}. */
    void onMessage(Exchange exchange, Message message);

    /**
     * The connection under this exchange dropped or was closed; the exchange is already closed.
     * Called on a connection thread.
     */
    default void onConnectionLost(Exchange exchange, IOException cause) {
    }
}
