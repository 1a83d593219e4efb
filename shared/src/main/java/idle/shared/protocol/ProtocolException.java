package idle.shared.protocol;

/**
 * The peer sent bytes that break the protocol: bad magic or version, unknown code, bad length,
 * truncated or malformed payload, bad UTF-8, or a checksum that does not match. The connection's
 * owner answers with {@code ILR} where it can and closes the connection.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
