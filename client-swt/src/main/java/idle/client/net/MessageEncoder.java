package idle.client.net;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Limits;

/**
 * Encodes the messages this client sends, checking the wire limits first: whatever the caller
 * passes, the outcome is a frame or a {@link RequestTooLargeException}, never the codec's
 * {@code IllegalArgumentException}. Every frame of the client's send path goes through here.
 * Stateless; any thread.
 */
public final class MessageEncoder {
    private MessageEncoder() {
    }

    /**
     * The frame carrying {@code m} under {@code requestId}.
     *
     * @throws RequestTooLargeException when the payload is over {@link Limits#MAX_PAYLOAD} or a
     *     field is over its own limit; nothing was encoded to the wire
     */
    public static Frame encode(int requestId, Message m) throws RequestTooLargeException {
        byte[] payload = payload(m);
        if (payload.length > Limits.MAX_PAYLOAD) {
            throw new RequestTooLargeException("the " + m.code() + " request is "
                    + Sizes.describe(payload.length) + "; the largest request IDLE's protocol "
                    + "carries is " + Sizes.describe(Limits.MAX_PAYLOAD), payload.length,
                    Limits.MAX_PAYLOAD);
        }
        return new Frame(m.code(), requestId, payload);
    }

    /**
     * The payload bytes of {@code m}, of any length.
     *
     * @throws RequestTooLargeException when a field is over its own wire limit (a text over
     *     {@link Limits#MAX_STRING} bytes, a list over {@link Limits#MAX_LIST} items)
     */
    public static byte[] payload(Message m) throws RequestTooLargeException {
        try {
            return Codec.payload(m);
        } catch (IllegalArgumentException e) {
            // The codec's only refusal: a string or list over its field limit.
            throw new RequestTooLargeException("the " + m.code() + " request cannot be sent: "
                    + e.getMessage() + " (a text may have at most " + Limits.MAX_STRING
                    + " bytes, a list at most " + Limits.MAX_LIST + " items)", 0, 0);
        }
    }
}
