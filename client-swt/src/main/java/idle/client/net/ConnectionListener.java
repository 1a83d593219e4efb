package idle.client.net;

/**
 * Hears about the life of a {@link ServerConnection}. Methods are called on the connection's own
 * background threads, one at a time and in order; they must return quickly (a UI hands the event
 * to its display thread). Every method has an empty default.
 */
public interface ConnectionListener {
    /**
     * The state changed.
     *
     * @param detail a short sentence for a person: why it dropped, when the next try is, ...;
     *     printable ({@link UntrustedText})
     */
    default void stateChanged(ConnectionState state, String detail) {
    }

    /** The connection is back after a drop (same session or a fresh login). */
    default void reconnected(boolean sessionResumed) {
    }

    /**
     * The server announced that it is shutting down ({@code SDN}); reconnects follow.
     *
     * @param reason the server's, printable ({@link UntrustedText})
     */
    default void serverShuttingDown(String reason) {
    }
}
