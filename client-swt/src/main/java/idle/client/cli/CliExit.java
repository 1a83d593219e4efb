package idle.client.cli;

/** Ends a command with an exit code and a message for stderr (none when empty). */
public final class CliExit extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    public CliExit(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
