package idle.shared.message;

import idle.shared.protocol.Limits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Builds a payload from primitives, big-endian. Strings are a 16-bit byte length and UTF-8 bytes;
 * byte blocks a 32-bit length and the bytes; lists a 16-bit count and the elements; optionals a
 * presence byte (0 or 1) and the value.
 */
final class PayloadWriter {
    private final ByteArrayOutputStream out;

    PayloadWriter() {
        this(64);
    }

    /** A writer whose buffer starts at {@code capacity} bytes (a size hint: it still grows). */
    PayloadWriter(int capacity) {
        this.out = new ByteArrayOutputStream(capacity);
    }

    PayloadWriter u8(int v) {
        out.write(v);
        return this;
    }

    PayloadWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    PayloadWriter i32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    PayloadWriter i64(long v) {
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    PayloadWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > Limits.MAX_STRING) {
            throw new IllegalArgumentException("string of " + b.length + " bytes is too long");
        }
        out.write(b.length >>> 8);
        out.write(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    /** A string that may exceed 64 KiB: 32-bit byte length and UTF-8 bytes. */
    PayloadWriter text(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    PayloadWriter optStr(String s) {
        if (s == null) {
            return u8(0);
        }
        u8(1);
        return str(s);
    }

    PayloadWriter bytes(byte[] b) {
        i32(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    <T> PayloadWriter list(List<T> items, BiConsumer<PayloadWriter, T> each) {
        if (items.size() > Limits.MAX_LIST) {
            throw new IllegalArgumentException("list of " + items.size() + " is too long");
        }
        out.write(items.size() >>> 8);
        out.write(items.size());
        for (T t : items) {
            each.accept(this, t);
        }
        return this;
    }

    PayloadWriter strs(List<String> items) {
        return list(items, PayloadWriter::str);
    }

    <E extends Enum<E>> PayloadWriter enumVal(E e) {
        return u8(e.ordinal());
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
