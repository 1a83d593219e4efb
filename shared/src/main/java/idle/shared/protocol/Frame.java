package idle.shared.protocol;

import java.util.Objects;

/**
 * One frame as it travels: a code, the request id it belongs to, and the raw payload.
 *
 * <p>Layout (big-endian): {@code code[3] flags[1]=0 requestId[4] length[4] payload[length]}.
 * The request id is chosen by whoever opens an exchange and echoed by every reply, chunk and
 * acknowledgement that belongs to it, so many exchanges can be in flight on one connection.
 */
public record Frame(Code code, int requestId, byte[] payload) {
    public Frame {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(payload, "payload");
        if (payload.length > Limits.MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds "
                    + Limits.MAX_PAYLOAD);
        }
    }

    /** The frame's bytes on the wire, header included. */
    public byte[] toBytes() {
        byte[] out = new byte[Limits.HEADER_BYTES + payload.length];
        code.writeTo(out, 0);
        out[3] = 0;
        putInt(out, 4, requestId);
        putInt(out, 8, payload.length);
        System.arraycopy(payload, 0, out, Limits.HEADER_BYTES, payload.length);
        return out;
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
                | (b[off + 3] & 0xff);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.code == code && f.requestId == requestId
                && java.util.Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, requestId, java.util.Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Frame[" + code + " #" + requestId + " " + payload.length + "B]";
    }
}
