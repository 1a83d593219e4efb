package idle.client.net;

import java.io.IOException;
import java.util.Objects;

/**
 * Connecting or logging in failed. {@link #reason()} tells a program what to do (the command line
 * maps it to an exit code), {@link #getMessage()} tells a person what happened.
 */
public final class ConnectException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a connection could not be made. */
    public enum Reason {
        /** No server answered at the address (refused, unknown host, timeout, not IDLE). */
        UNREACHABLE,
        /** The user name or the password is wrong. */
        BAD_CREDENTIALS,
        /** The account exists and is disabled. */
        ACCOUNT_DISABLED,
        /** Too many failed logins; try later. */
        THROTTLED,
        /** The server is too busy to check a password now; try again in a moment. */
        BUSY,
        /** The server broke the protocol or speaks another version. */
        PROTOCOL,
        /**
         * The server's TLS key differs from the one pinned for it (or the user did not accept a
         * new server's key): a hard failure; the message says how to check and replace the pin.
         */
        UNTRUSTED
    }

    private final Reason reason;

    public ConnectException(Reason reason, String message, Throwable cause) {
        // Messages quote the server's reasons: printable only.
        super(UntrustedText.clean(message), cause);
        this.reason = Objects.requireNonNull(reason);
    }

    public ConnectException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }

    /** True when the server's key is not trusted: retrying will not help. */
    public boolean isUntrusted() {
        return reason == Reason.UNTRUSTED;
    }

    /** True for a refused login (wrong credentials, disabled, throttled): retrying will not help. */
    public boolean isLoginRefused() {
        return isCredentialsRefused() || reason == Reason.THROTTLED;
    }

    /**
     * True when these credentials will not log in however long one waits (wrong, or the account
     * disabled). A throttled or busy login of credentials that worked before is worth retrying: a
     * stranger's wrong guesses at the same account, or a crowd of logins after a server restart,
     * must not end a lender's reconnecting for good.
     */
    public boolean isCredentialsRefused() {
        return reason == Reason.BAD_CREDENTIALS || reason == Reason.ACCOUNT_DISABLED;
    }
}
