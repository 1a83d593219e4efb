package idle.server.dispatch;

import idle.db.entity.Job;
import idle.shared.model.JobDetail;
import idle.shared.model.JobSummary;

/**
 * Jobs as runners see them on the wire, from a stored row or from the in-memory state. The
 * lender appears by pseudonym only; absent text fields are empty strings, never null.
 * Stateless.
 */
public final class JobViews {
    private JobViews() {
    }

    /** The summary of a stored job. */
    public static JobSummary summaryOf(Job j) {
        return new JobSummary(j.getId(), j.getScriptName(), j.getState(), j.getExitCode(),
                j.getLimitHit(), orEmpty(j.getFailureReason()), orEmpty(j.getLenderPseudonym()),
                j.getAttempts(), j.getSubmittedAt(), j.getStartedAt(), j.getFinishedAt(),
                j.getOutputBytes(), j.getSweepId(), j.getTaskIndex(),
                VoteRecord.verificationOf(j.getVerifyOf(), j.getVote()));
    }

    /** The detail of a stored job. */
    public static JobDetail detailOf(Job j) {
        return new JobDetail(summaryOf(j), j.getScriptSha256(), j.getArgs(), j.getInputNames(),
                j.getOutputFiles(), j.getCpuMillis(), orEmpty(j.getOutputSha256()));
    }

    /**
     * The detail of an active job with {@code summary} (its current or last published one).
     * Call under the state machine's lock.
     */
    static JobDetail detailOf(ActiveJob j, JobSummary summary) {
        return new JobDetail(summary, j.scriptSha256, j.args, j.inputNames, j.files, j.cpuMillis,
                j.outputSha256);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
