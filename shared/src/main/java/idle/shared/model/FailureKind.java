package idle.shared.model;

/** Why a request failed ({@code FLD}), so clients can react without parsing the reason text. */
public enum FailureKind {
    /** Wrong user name or password (deliberately not saying which). */
    BAD_CREDENTIALS,
    /** The account exists but is disabled. */
    ACCOUNT_DISABLED,
    /** A size or count limit was exceeded; the reason names the limit. */
    LIMIT,
    /** No such job, file or user visible to the requester. */
    NOT_FOUND,
    /** Data did not match its SHA-256. */
    CHECKSUM,
    /** The request's content is invalid (bad name, bad argument). */
    INVALID,
    /** Too many attempts; try again later. */
    THROTTLED,
    /** The thing already exists (e.g. a user name). */
    EXISTS,
    /** The job is in a state where the request cannot apply. */
    WRONG_STATE,
    /** The server failed internally; the request may be retried. */
    INTERNAL,
    /**
     * The server is too busy to take the request now (e.g. too many password checks at once);
     * the same request may succeed a moment later.
     */
    BUSY
}
