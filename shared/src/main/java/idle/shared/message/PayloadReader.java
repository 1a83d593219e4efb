package idle.shared.message;

import idle.shared.protocol.Limits;
import idle.shared.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the primitives {@link PayloadWriter} writes, strictly: every length is checked against what
 * remains, UTF-8 must be well-formed, enum ordinals must exist, booleans must be 0 or 1, and
 * {@link #end} insists that nothing is left over. Any violation is a {@link ProtocolException}.
 */
final class PayloadReader {
    private final byte[] b;
    private int pos;

    PayloadReader(byte[] b) {
        this.b = b;
    }

    @FunctionalInterface
    interface Item<T> {
        T read(PayloadReader r) throws ProtocolException;
    }

    private void need(int n, String what) throws ProtocolException {
        if (n < 0 || b.length - pos < n) {
            throw new ProtocolException("truncated payload: " + what + " needs " + n
                    + " bytes, " + (b.length - pos) + " left");
        }
    }

    int u8() throws ProtocolException {
        need(1, "byte");
        return b[pos++] & 0xff;
    }

    boolean bool() throws ProtocolException {
        int v = u8();
        if (v > 1) {
            throw new ProtocolException("boolean byte is " + v);
        }
        return v == 1;
    }

    int u16() throws ProtocolException {
        need(2, "16-bit length");
        int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int i32() throws ProtocolException {
        need(4, "int");
        int v = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8)
                | (b[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    /** A 32-bit value that must not be negative. */
    int count(String what) throws ProtocolException {
        int v = i32();
        if (v < 0) {
            throw new ProtocolException("negative " + what + ": " + v);
        }
        return v;
    }

    long i64() throws ProtocolException {
        long hi = i32() & 0xffffffffL;
        long lo = i32() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    String str() throws ProtocolException {
        return utf8(u16());
    }

    /** A string with a 32-bit length (see {@link PayloadWriter#text}). */
    String text() throws ProtocolException {
        return utf8(count("text length"));
    }

    private String utf8(int n) throws ProtocolException {
        need(n, "string");
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw new ProtocolException("string is not valid UTF-8");
        }
    }

    String optStr() throws ProtocolException {
        return bool() ? str() : null;
    }

    byte[] bytes() throws ProtocolException {
        int n = i32();
        if (n < 0) {
            throw new ProtocolException("negative byte block length " + n);
        }
        need(n, "byte block");
        byte[] out = new byte[n];
        System.arraycopy(b, pos, out, 0, n);
        pos += n;
        return out;
    }

    <T> List<T> list(Item<T> each) throws ProtocolException {
        int n = u16();
        if (n > Limits.MAX_LIST) {
            throw new ProtocolException("list of " + n + " exceeds " + Limits.MAX_LIST);
        }
        if (n > b.length - pos) {
            throw new ProtocolException("truncated payload: list of " + n + " with "
                    + (b.length - pos) + " bytes left");
        }
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(each.read(this));
        }
        return List.copyOf(out);
    }

    List<String> strs() throws ProtocolException {
        return list(PayloadReader::str);
    }

    <E extends Enum<E>> E enumVal(E[] values, String what) throws ProtocolException {
        int v = u8();
        if (v >= values.length) {
            throw new ProtocolException("unknown " + what + " " + v);
        }
        return values[v];
    }

    void end() throws ProtocolException {
        if (pos != b.length) {
            throw new ProtocolException((b.length - pos) + " unexpected bytes after payload");
        }
    }
}
