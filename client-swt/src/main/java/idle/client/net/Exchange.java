package idle.client.net;

import idle.shared.message.Message;
import java.io.IOException;

/**
 * One open exchange on a {@link ServerConnection}: a request id and the handler that receives its
 * frames, on one physical connection ({@link Link}); it ends with {@link #close} or when that
 * connection drops (the handler hears {@link ExchangeHandler#onConnectionLost}). Thread-safe:
 * {@link #send} may be called from any thread.
 */
public final class Exchange {
    private final Link link;
    private final int id;
    private final ExchangeHandler handler;
    private volatile boolean open = true;

    Exchange(Link link, int id, ExchangeHandler handler) {
        this.link = link;
        this.id = id;
        this.handler = handler;
    }

    /** The request id every frame of this exchange carries. */
    public int id() {
        return id;
    }

    /** True until {@link #close} or the connection under it drops. */
    public boolean isOpen() {
        return open;
    }

    /**
     * Sends a message under this exchange's id (and flushes).
     *
     * @throws ConnectionLostException when the exchange's connection is gone
     */
    public void send(Message message) throws IOException {
        if (!open) {
            throw new ConnectionLostException("exchange #" + id + " is closed", null);
        }
        link.send(id, message);
    }

    /** Ends the exchange: later frames with its id are ignored. Idempotent. */
    public void close() {
        if (open) {
            open = false;
            link.forget(id, this);
        }
    }

    ExchangeHandler handler() {
        return handler;
    }

    void lost(IOException cause) {
        if (open) {
            open = false;
            handler.onConnectionLost(this, cause);
        }
    }

    @Override
    public String toString() {
        return "Exchange#" + id;
    }
}
