package idle.shared.model;

import java.util.List;
import java.util.Objects;

/**
 * One replica's result in a verified job's vote, as its runner sees it in {@link JobDetail}.
 * The hashes are the server's, computed from the bytes it received and stored, never the
 * lender's claims.
 *
 * @param lender the lender's pseudonym (never its account or address)
 * @param state how the replica ended (SUCCEEDED, FAILED, LIMIT_EXCEEDED)
 * @param exitCode its exit code, or null when it did not exit by itself
 * @param limit the limit it hit, or null
 * @param stdoutSha256 SHA-256 (hex) of its stdout bytes
 * @param stderrSha256 SHA-256 (hex) of its stderr bytes
 * @param files its output files: name, size, SHA-256
 * @param majority whether it is in the majority (false for all when there is none)
 * @param differences how it differs from the reference result (the majority's, else the first
 *     result), in compared parts only, as lines like {@code stdout differs at line 3: '0.12' /
 *     '0.98'}; empty when it agrees. At most {@link #MAX_LINES} lines of at most
 *     {@link #MAX_LINE} characters
 */
public record ReplicaResult(String lender, JobState state, Integer exitCode, Limit limit,
        String stdoutSha256, String stderrSha256, List<OutputFileInfo> files, boolean majority,
        List<String> differences) {
    /** Most difference lines per result. */
    public static final int MAX_LINES = 8;
    /** Longest difference line, characters. */
    public static final int MAX_LINE = 300;

    public ReplicaResult {
        Objects.requireNonNull(lender, "lender");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stdoutSha256, "stdoutSha256");
        Objects.requireNonNull(stderrSha256, "stderrSha256");
        files = List.copyOf(files);
        differences = List.copyOf(differences);
        if (differences.size() > MAX_LINES) {
            throw new IllegalArgumentException(differences.size() + " difference lines; at most "
                    + MAX_LINES);
        }
        for (String d : differences) {
            if (d.length() > MAX_LINE) {
                throw new IllegalArgumentException("a difference line of " + d.length()
                        + " characters; at most " + MAX_LINE);
            }
        }
    }

    /** "exit 0", "exit 3", "CPU_TIME limit", or the state. */
    public String outcome() {
        if (exitCode != null) {
            return "exit " + exitCode;
        }
        return limit != null ? limit.label() + " limit" : state.name().toLowerCase();
    }
}
