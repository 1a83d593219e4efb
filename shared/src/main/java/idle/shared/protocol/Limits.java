package idle.shared.protocol;

/** Hard limits of the wire format, shared by every peer. Sizes are in bytes. */
public final class Limits {
    /** Bytes of a frame header: code (3), flags (1), request id (4), payload length (4). */
    public static final int HEADER_BYTES = 12;
    /** Largest payload a frame may carry; a longer declared length is a protocol error. */
    public static final int MAX_PAYLOAD = 4 * 1024 * 1024;
    /** Size of the data in one output or file chunk. */
    public static final int CHUNK_BYTES = 64 * 1024;
    /** Output chunks (OUT) a sender may have in flight (sent but not yet acknowledged with OK). */
    public static final int WINDOW_CHUNKS = 32;
    /**
     * File chunks (DAT) a sender may have in flight per file transfer: 16 MiB, several times the
     * bandwidth-delay product TCP itself reaches at 100 ms round trip (its send buffer, 4 MiB by
     * default on Linux), so the relay's own window is never what limits a file on a slow link.
     * A receiver stores or forwards each chunk before it acknowledges it, so this costs it no
     * memory; the server bounds what it queues for one peer separately (64 MiB).
     */
    public static final int FILE_WINDOW_CHUNKS = 256;
    /** Longest string field (names, reasons), in UTF-8 bytes. */
    public static final int MAX_STRING = 65_535;
    /** Most elements of a list field. */
    public static final int MAX_LIST = 10_000;

    private Limits() {
    }
}
