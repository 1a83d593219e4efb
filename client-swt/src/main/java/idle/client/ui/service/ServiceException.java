package idle.client.ui.service;

/**
 * A failure of a client service that the workbench can show to a person as it is: the message is
 * plain language, never a stack trace. {@link Kind} lets the UI react (e.g. keep the login dialog
 * open on {@link Kind#BAD_CREDENTIALS}, mark a job "not accepted" on {@link Kind#NO_LENDERS}).
 */
public final class ServiceException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, coarsely. */
    public enum Kind {
        /** The server could not be reached or the connection dropped. */
        UNREACHABLE,
        /** Wrong user name or password. */
        BAD_CREDENTIALS,
        /** The account is disabled. */
        ACCOUNT_DISABLED,
        /** Too many attempts; try later. */
        THROTTLED,
        /** The server answered NLA: no lender can run the job. */
        NO_LENDERS,
        /** A size or count limit was exceeded. */
        LIMIT,
        /** No such job or file. */
        NOT_FOUND,
        /** The request does not apply in the job's current state. */
        WRONG_STATE,
        /** A local file could not be read or written. */
        LOCAL_IO,
        /** The operation was cancelled by the user. */
        CANCELLED,
        /** Anything else. */
        OTHER
    }

    private final Kind kind;

    public ServiceException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ServiceException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
