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
        HANDSHAKE,
        /**
         * The other way round: a plaintext client reached a server that requires TLS, which
         * refused it with {@link #TLS_REQUIRED_REFUSAL}.
         */
        SERVER_REQUIRES_TLS
    }

    /**
     * The whole reason of the {@code ILR#0} a TLS server sends a plaintext IDLE client (after the
     * hellos) before closing. A protocol constant both sides share: the server sends exactly this,
     * and clients recognise the refusal with {@link #isTlsRequiredRefusal}, never by reading its
     * words (which are for a person and may change with it).
     */
    public static final String TLS_REQUIRED_REFUSAL = "this server requires TLS; connect without "
            + "--insecure-plaintext";

    /** True when an {@code ILR} reason is a TLS server's refusal of a plaintext client. */
    public static boolean isTlsRequiredRefusal(String illegalReason) {
        return TLS_REQUIRED_REFUSAL.equals(illegalReason);
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
