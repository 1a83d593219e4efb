package idle.shared.tls;

import java.security.cert.CertificateException;

/**
 * The server presented a key other than the one pinned for it. Either the server's admin replaced
 * its key, or someone is in the middle. The message says how to check and replace the pin.
 */
public final class PinMismatchException extends CertificateException {
    private static final long serialVersionUID = 1L;
    private final String hostPort;
    private final String pinned;
    private final String presented;

    public PinMismatchException(String hostPort, String pinned, String presented,
            java.nio.file.Path knownServers) {
        super("The TLS key of IDLE server " + hostPort + " has CHANGED.\n"
                + "  pinned:    " + pinned + "\n"
                + "  presented: " + presented + "\n"
                + "Someone may be intercepting the connection, or the server's admin replaced its key.\n"
                + "Ask the admin for the fingerprint that './idle server' prints at start. If it\n"
                + "matches the presented one, remove the line for " + hostPort + " from\n  "
                + knownServers + "\nand connect again to pin the new key.");
        this.hostPort = hostPort;
        this.pinned = pinned;
        this.presented = presented;
    }

    public String hostPort() {
        return hostPort;
    }

    public String pinned() {
        return pinned;
    }

    public String presented() {
        return presented;
    }
}
