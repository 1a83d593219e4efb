package idle.shared.model;

import java.util.Objects;

/**
 * One job as a runner sees it in tables and events. Times are epoch milliseconds, 0 when not yet
 * reached. {@code exitCode} is null until the process ended; {@code limit} is set only in
 * {@link JobState#LIMIT_EXCEEDED}; {@code lender} is the lender's pseudonym, empty when none.
 * A task of a sweep names its sweep ({@code sweepId}, 0 for a job of its own) and its index in
 * it ({@code taskIndex}, 0 for a job of its own). A verified job carries its vote
 * ({@code verification}, {@link Verification#NONE} for one that is not verified); its
 * {@code lender} is then the pseudonym of the replica whose output it serves (once decided).
 */
public record JobSummary(long jobId, String scriptName, JobState state, Integer exitCode,
        Limit limit, String reason, String lender, int attempts, long submittedAt, long startedAt,
        long finishedAt, long outputBytes, long sweepId, int taskIndex,
        Verification verification) {
    public JobSummary {
        Objects.requireNonNull(verification, "verification");
        Objects.requireNonNull(scriptName, "scriptName");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(lender, "lender");
        if (sweepId < 0 || taskIndex < 0) {
            throw new IllegalArgumentException("negative sweep " + sweepId + " or task "
                    + taskIndex);
        }
    }

    /** A job that is not verified. */
    public JobSummary(long jobId, String scriptName, JobState state, Integer exitCode,
            Limit limit, String reason, String lender, int attempts, long submittedAt,
            long startedAt, long finishedAt, long outputBytes, long sweepId, int taskIndex) {
        this(jobId, scriptName, state, exitCode, limit, reason, lender, attempts, submittedAt,
                startedAt, finishedAt, outputBytes, sweepId, taskIndex, Verification.NONE);
    }

    /** A job of its own (no sweep), not verified. */
    public JobSummary(long jobId, String scriptName, JobState state, Integer exitCode,
            Limit limit, String reason, String lender, int attempts, long submittedAt,
            long startedAt, long finishedAt, long outputBytes) {
        this(jobId, scriptName, state, exitCode, limit, reason, lender, attempts, submittedAt,
                startedAt, finishedAt, outputBytes, 0, 0, Verification.NONE);
    }

    /** This summary with {@code v} as its vote. */
    public JobSummary withVerification(Verification v) {
        return new JobSummary(jobId, scriptName, state, exitCode, limit, reason, lender,
                attempts, submittedAt, startedAt, finishedAt, outputBytes, sweepId, taskIndex, v);
    }

    /** Whether this job is a task of a sweep. */
    public boolean inSweep() {
        return sweepId != 0;
    }

    /** Run time in milliseconds so far (or in all, once finished); 0 before it started. */
    public long durationMillis(long nowMillis) {
        if (startedAt == 0) {
            return 0;
        }
        return Math.max(0, (finishedAt != 0 ? finishedAt : nowMillis) - startedAt);
    }
}
