package idle.server.dispatch;

import idle.db.entity.Job;
import idle.shared.model.ComparePart;
import idle.shared.model.JobState;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One replica's result in a verified job's vote: how it ended and the server's hashes of what it
 * produced (computed from the bytes received and stored, never the lender's claims), with what
 * the job takes over when this replica wins (output size and hash, files, CPU time, reason).
 *
 * @param replicaId the replica's job row
 * @param lenderUser the lender's account (the server's own; never shown to a runner)
 * @param pseudonym the lender's pseudonym (what a runner may see)
 * @param state how it ended: SUCCEEDED, FAILED or LIMIT_EXCEEDED
 * @param exitCode its exit code, or null
 * @param limit the limit it hit, or null
 * @param reason its reason text ("" when it succeeded)
 * @param stdoutSha256 SHA-256 of its stdout (hex)
 * @param stderrSha256 SHA-256 of its stderr (hex)
 * @param files its output files
 * @param outputBytes stdout + stderr + files, bytes
 * @param outputSha256 SHA-256 of stdout and stderr as received
 * @param cpuMillis CPU time its lender reported, ms
 */
record Ballot(long replicaId, String lenderUser, String pseudonym, JobState state,
        Integer exitCode, Limit limit, String reason, String stdoutSha256, String stderrSha256,
        List<OutputFileInfo> files, long outputBytes, String outputSha256, long cpuMillis) {
    Ballot {
        Objects.requireNonNull(lenderUser, "lenderUser");
        Objects.requireNonNull(pseudonym, "pseudonym");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(stdoutSha256, "stdoutSha256");
        Objects.requireNonNull(stderrSha256, "stderrSha256");
        files = List.copyOf(files);
        Objects.requireNonNull(outputSha256, "outputSha256");
    }

    /** Whether an ended replica in {@code state} brought a result to count. */
    static boolean isResult(JobState state) {
        return state == JobState.SUCCEEDED || state == JobState.FAILED
                || state == JobState.LIMIT_EXCEEDED;
    }

    /**
     * What two results must share to agree on {@code parts}: equal keys, equal results. The exit
     * part is the state with the exit code and limit (a limit hit or a lender that could not run
     * the script is a result like an exit code).
     */
    String key(Set<ComparePart> parts) {
        StringBuilder k = new StringBuilder();
        if (parts.contains(ComparePart.EXIT)) {
            k.append("exit=").append(exitText()).append('\n');
        }
        if (parts.contains(ComparePart.STDOUT)) {
            k.append("stdout=").append(stdoutSha256).append('\n');
        }
        if (parts.contains(ComparePart.STDERR)) {
            k.append("stderr=").append(stderrSha256).append('\n');
        }
        if (parts.contains(ComparePart.FILES)) {
            for (var f : filesByName().entrySet()) {
                k.append("file=").append(f.getKey()).append('\0').append(f.getValue()).append('\n');
            }
        }
        return k.toString();
    }

    /** "exit 0", "exit 3", "CPU time limit", or the state. */
    String exitText() {
        if (exitCode != null) {
            return "exit " + exitCode;
        }
        return limit != null ? limit.label() + " limit" : state.name().toLowerCase();
    }

    /** Output file names to their SHA-256, sorted by name. */
    TreeMap<String, String> filesByName() {
        TreeMap<String, String> m = new TreeMap<>();
        for (OutputFileInfo f : files) {
            m.put(f.name(), f.sha256());
        }
        return m;
    }

    /** A stored replica's result (its row and vote record). */
    static Ballot of(Job r) {
        Map<String, String> rec = VoteRecord.read(r.getVote());
        return new Ballot(r.getId(), rec.getOrDefault("lender", ""),
                r.getLenderPseudonym() == null ? "" : r.getLenderPseudonym(), r.getState(),
                r.getExitCode(), r.getLimitHit(),
                r.getFailureReason() == null ? "" : r.getFailureReason(),
                rec.getOrDefault("stdout", ""), rec.getOrDefault("stderr", ""), r.getOutputFiles(),
                r.getOutputBytes(), r.getOutputSha256() == null ? "" : r.getOutputSha256(),
                r.getCpuMillis());
    }
}
