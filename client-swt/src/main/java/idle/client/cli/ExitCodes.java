package idle.client.cli;

/** The exit codes of the command line (BSD sysexits where one fits). */
public final class ExitCodes {
    /** Everything succeeded. */
    public static final int OK = 0;
    /** A generic failure (a job cancelled or lost, a cancel refused). */
    public static final int FAILURE = 1;
    /** Usage error: bad option, missing file, no password available. */
    public static final int USAGE = 64;
    /**
     * The data is too large (sysexits EX_DATAERR): a job does not fit in one request (4 MiB for
     * script, arguments and input files together; nothing is sent) or the server refused it over
     * its own size limit ({@code FLD{LIMIT}}). Not 64: the command line itself was right.
     */
    public static final int DATA = 65;
    /** The server cannot be reached (or the feature is unavailable). */
    public static final int UNREACHABLE = 69;
    /** The server answered NLA: no lender can run the job now. */
    public static final int NO_LENDERS = 75;
    /** The server's TLS key is not the pinned one (or a new key was not accepted). */
    public static final int UNTRUSTED = 76;
    /** Login failed: wrong user or password, account disabled, throttled. */
    public static final int LOGIN_FAILED = 77;
    /** The machine is not set up for lending (no bubblewrap, no python3). */
    public static final int CONFIG = 78;

    private ExitCodes() {
    }
}
