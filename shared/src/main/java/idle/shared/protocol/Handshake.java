package idle.shared.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The version exchange that opens every connection, before any frame. Each side sends eight bytes:
 * the magic {@code "IDLE"}, a big-endian 16-bit protocol version and 16 reserved bits (zero). The
 * client speaks first; the server answers with its own hello, and if it cannot speak the client's
 * version it follows with one {@code ILR} frame naming the versions it speaks, then closes.
 */
public final class Handshake {
    /** The protocol version this build speaks. */
    public static final int VERSION = 3;
    /** Length of a hello in bytes. */
    public static final int HELLO_BYTES = 8;
    private static final byte[] MAGIC = {'I', 'D', 'L', 'E'};

    private Handshake() {
    }

    /** The eight hello bytes for {@code version}. */
    public static byte[] hello(int version) {
        byte[] b = new byte[HELLO_BYTES];
        System.arraycopy(MAGIC, 0, b, 0, 4);
        b[4] = (byte) (version >>> 8);
        b[5] = (byte) version;
        return b;
    }

    public static void writeHello(OutputStream out) throws IOException {
        out.write(hello(VERSION));
        out.flush();
    }

    /**
     * Reads a hello and returns the peer's version.
     *
     * @throws ProtocolException when the magic or the reserved bits are wrong
     * @throws EOFException when the stream ends first
     */
    public static int readHello(InputStream in) throws IOException, ProtocolException {
        byte[] b = in.readNBytes(HELLO_BYTES);
        if (b.length < HELLO_BYTES) {
            throw new EOFException("connection closed during version exchange");
        }
        return parseHello(b);
    }

    /** Parses a complete hello (its first eight bytes); see {@link #readHello}. */
    public static int parseHello(byte[] b) throws ProtocolException {
        if (b.length < HELLO_BYTES) {
            throw new ProtocolException("hello of " + b.length + " bytes; a hello is "
                    + HELLO_BYTES + " bytes");
        }
        for (int i = 0; i < 4; i++) {
            if (b[i] != MAGIC[i]) {
                throw new ProtocolException("not an IDLE peer (bad magic; is it speaking TLS or HTTP?)");
            }
        }
        if (b[6] != 0 || b[7] != 0) {
            throw new ProtocolException("reserved hello bits are not zero");
        }
        return ((b[4] & 0xff) << 8) | (b[5] & 0xff);
    }
}
