package idle.shared.tls;

import java.io.IOException;

/**
 * A TLS connection to an IDLE server could not be made safely. {@link #kind()} says why, for a
 * program; the message says what to do, for a person.
 */
public final class TlsFailure extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the connection failed. */
    public enum Kind {
        /** The server's key differs from the pinned one (hard failure; see the message). */
        KEY_CHANGED,
        /** A new server's key was not accepted by the user. */
        KEY_NOT_ACCEPTED,
        /** The server speaks plaintext IDLE: it runs with {@code --insecure-plaintext}. */
        SERVER_NOT_TLS,
        /** The TLS handshake failed for another reason (not an IDLE server, TLS 1.2 only...). */
        HANDSHAKE
    }

    private final Kind kind;

    public TlsFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** True for the failures that trying again cannot fix (a changed or refused key). */
    public boolean isTrustFailure() {
        return kind == Kind.KEY_CHANGED || kind == Kind.KEY_NOT_ACCEPTED;
    }
}
