package idle.client.net;

import idle.shared.message.Message;

/**
 * Receives the first frame of an exchange the server opened (negative id): {@code EXF} and
 * {@code CAN} for a lender. {@code SDN} and heartbeats are answered by the connection itself.
 * Called on the reader thread: return quickly. To receive the later frames of the exchange, call
 * {@link ServerConnection#adopt}; to answer, use the returned {@link Exchange}.
 */
@FunctionalInterface
public interface ServerRequestHandler {
    void onServerRequest(ServerConnection connection, int requestId, Message message);
}
