package idle.client.net;

import java.io.IOException;

/**
 * A request was not sent because it does not fit the wire format: its payload is over
 * {@link idle.shared.protocol.Limits#MAX_PAYLOAD} (4 MiB), or one of its fields is over its own
 * limit (a text of more than 64 KiB, a list of more than 10,000 items). Nothing of it reached the
 * server and the connection is unharmed: this is the sender's data being too large, not a network
 * failure. The message says what the limit is and what to do, for a person.
 */
public final class RequestTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long size;
    private final long limit;

    /**
     * @param size the bytes the request (or its offending field) would take; 0 when not known
     * @param limit the limit it is over, in the same unit as {@code size}
     */
    public RequestTooLargeException(String message, long size, long limit) {
        super(message);
        this.size = size;
        this.limit = limit;
    }

    /** What the request (or its offending field) would take, in bytes or items; 0 when unknown. */
    public long size() {
        return size;
    }

    /** The limit it is over, in the unit of {@link #size()}. */
    public long limit() {
        return limit;
    }
}
