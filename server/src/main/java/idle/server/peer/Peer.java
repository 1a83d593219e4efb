package idle.server.peer;

import idle.shared.message.Message;
import idle.shared.protocol.Frame;

/**
 * What the job logic may do with a connected client, without knowing about sockets: send frames
 * (never blocking), open server-side exchanges (negative ids) and route the replies of an exchange
 * to a handler.
 *
 * <p>The seam between the network and the job logic: {@code idle.server.net} implements it, one
 * per connection ({@code Session}); {@code idle.server.dispatch} and {@code idle.server.relay} use
 * it and never import {@code idle.server.net}. Tests drive the job logic through a small
 * recording implementation, without sockets. Implementations are thread-safe: any thread may
 * send.
 */
public interface Peer {
    /** Queues a message; false when the connection is gone. */
    boolean send(int requestId, Message m);

    /** Queues a pre-encoded frame; false when the connection is gone. */
    boolean send(Frame f);

    /**
     * Waits while the data queued for this peer is above half the connection's cap, so a bulk
     * sender (a file transfer) never makes the outbox overflow; returns at once when the
     * connection is gone (the next send then fails).
     */
    void awaitRoom() throws InterruptedException;

    /** A fresh server-side request id (negative, counting down). */
    int nextServerId();

    /** Routes later frames with {@code requestId} to {@code exchange} until it is removed. */
    void open(int requestId, Exchange exchange);

    /** Stops routing {@code requestId}. */
    void close(int requestId);

    /** The logged-in user. */
    String user();

    /** The peer's address, for the audit log and admins only. */
    String remoteAddress();

    boolean isConnected();

    /** One open exchange on a connection: receives the frames that carry its id. */
    interface Exchange {
        /** A frame of this exchange arrived (already decoded). Runs on the reader thread. */
        void onFrame(Frame frame, Message message);

        /** The connection is gone. */
        void onClose();
    }
}
