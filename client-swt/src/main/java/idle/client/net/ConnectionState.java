package idle.client.net;

/** Where a {@link ServerConnection} is in its life. */
public enum ConnectionState {
    /** Opening the socket and logging in for the first time. */
    CONNECTING,
    /** Logged in; requests flow. */
    CONNECTED,
    /** The connection dropped; trying again with backoff. Requests fail until it is back. */
    RECONNECTING,
    /** Closed for good: by {@link ServerConnection#close}, a failed login, or giving up. */
    CLOSED
}
