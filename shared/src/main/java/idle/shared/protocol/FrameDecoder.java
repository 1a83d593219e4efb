package idle.shared.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a byte stream that may arrive in arbitrary pieces into whole frames. It checks each header
 * as soon as its 12 bytes are in (known code, zero flags, length within {@link Limits#MAX_PAYLOAD})
 * and then waits for the rest of the payload.
 *
 * <p>Not thread-safe: one decoder per connection, fed by that connection's reader. After a
 * {@link ProtocolException} the decoder is poisoned and rejects further input.
 */
public final class FrameDecoder {
    private int maxPayload;
    private final byte[] header = new byte[Limits.HEADER_BYTES];
    private int headerFill;
    private Code code;
    private int requestId;
    /** The payload received so far: grows with the bytes that arrive, up to the length. */
    private byte[] payload;
    private int payloadLength;
    private int payloadFill;
    /** First buffer for a payload larger than a chunk; it doubles as bytes arrive. */
    private static final int FIRST_BUFFER = 8 * 1024;
    /**
     * Payloads up to this size (a whole {@code OUT} or {@code DAT} chunk with its fields) get
     * their full buffer at once, so bulk data is received with one copy and no regrowth; no more
     * than the 64 KiB read buffer such a peer already has. Larger ones (a script) grow as their
     * bytes arrive, so a header that only announces 4 MiB costs 8 KiB.
     */
    private static final int WHOLE_BUFFER = Limits.CHUNK_BYTES + 256;
    private boolean poisoned;

    public FrameDecoder() {
        this(Limits.MAX_PAYLOAD);
    }

    /** A decoder with a lower payload limit (e.g. before login). */
    public FrameDecoder(int maxPayload) {
        if (maxPayload < 0 || maxPayload > Limits.MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload " + maxPayload);
        }
        this.maxPayload = maxPayload;
    }

    /**
     * Changes the payload limit for the frames whose header has not arrived yet (e.g. raised
     * after login).
     */
    public void maxPayload(int limit) {
        if (limit < 0 || limit > Limits.MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload " + limit);
        }
        this.maxPayload = limit;
    }

    /** Feeds {@code len} bytes and returns the frames they complete, in order (maybe none). */
    public List<Frame> feed(byte[] data, int off, int len) throws ProtocolException {
        List<Frame> out = new ArrayList<>(1);
        feed(data, off, len, out);
        return out;
    }

    /** Feeds bytes, appending completed frames to {@code out}. */
    public void feed(byte[] data, int off, int len, List<Frame> out) throws ProtocolException {
        if (poisoned) {
            throw new ProtocolException("decoder already failed");
        }
        int end = off + len;
        while (off < end) {
            if (payload == null) {
                int n = Math.min(Limits.HEADER_BYTES - headerFill, end - off);
                System.arraycopy(data, off, header, headerFill, n);
                headerFill += n;
                off += n;
                if (headerFill == Limits.HEADER_BYTES) {
                    startPayload();
                    if (payloadLength == 0) {
                        out.add(finish());
                    }
                }
            } else {
                int n = Math.min(payloadLength - payloadFill, end - off);
                if (payloadFill + n > payload.length) {
                    // Grow with what really arrived: a peer that only announces 4 MiB does not
                    // make the receiver allocate them.
                    payload = java.util.Arrays.copyOf(payload, (int) Math.min(payloadLength,
                            Math.max(2L * payload.length, (long) payloadFill + n)));
                }
                System.arraycopy(data, off, payload, payloadFill, n);
                payloadFill += n;
                off += n;
                if (payloadFill == payloadLength) {
                    out.add(finish());
                }
            }
        }
    }

    /** Bytes held for the frame in progress (its payload buffer): grows as bytes arrive. */
    public int bufferedCapacity() {
        return payload == null ? 0 : payload.length;
    }

    /** True when no partial frame is buffered (a clean point to close the stream). */
    public boolean isIdle() {
        return headerFill == 0 && payload == null;
    }

    private void startPayload() throws ProtocolException {
        code = Code.fromWire(header, 0);
        if (code == null) {
            throw fail("unknown code " + printable(header));
        }
        if (header[3] != 0) {
            throw fail("reserved flags byte is " + (header[3] & 0xff) + ", expected 0");
        }
        requestId = Frame.getInt(header, 4);
        int length = Frame.getInt(header, 8);
        if (length < 0 || length > maxPayload) {
            throw fail("payload length " + Integer.toUnsignedString(length) + " outside 0.."
                    + maxPayload);
        }
        payload = new byte[length <= WHOLE_BUFFER ? length : FIRST_BUFFER];
        payloadLength = length;
        payloadFill = 0;
    }

    private Frame finish() {
        Frame f = new Frame(code, requestId, payload);
        payload = null;
        headerFill = 0;
        code = null;
        return f;
    }

    private ProtocolException fail(String why) {
        poisoned = true;
        return new ProtocolException(why);
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 0; i < 3; i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
