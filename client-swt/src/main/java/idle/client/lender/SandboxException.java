package idle.client.lender;

/** The sandbox cannot be used on this machine; the message says why and what to do. */
public final class SandboxException extends Exception {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message) {
        super(message);
    }
}
