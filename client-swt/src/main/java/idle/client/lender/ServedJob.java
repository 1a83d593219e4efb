package idle.client.lender;

import idle.shared.model.JobOutcome;
import idle.shared.model.ResourceUse;
import java.time.Instant;
import java.util.Objects;

/**
 * One job this lender served, as its local log keeps it.
 *
 * @param reported false when the outcome was not reported to the server (the job was given back
 *     or the connection dropped: the server runs it again elsewhere)
 */
public record ServedJob(Instant startedAt, Instant finishedAt, long jobId, int attempt,
        String scriptName, String scriptSha256, JobOutcome outcome, ResourceUse use, int filesSent,
        boolean reported) {
    public ServedJob {
        Objects.requireNonNull(startedAt);
        Objects.requireNonNull(finishedAt);
        Objects.requireNonNull(scriptName);
        Objects.requireNonNull(scriptSha256);
        Objects.requireNonNull(outcome);
        Objects.requireNonNull(use);
    }

    /** The outcome in a few words: "succeeded", "failed (exit 3)", "limit: CPU time ...". */
    public String outcomeText() {
        return describe(outcome) + (reported ? "" : " (not reported: given back)");
    }

    public static String describe(JobOutcome o) {
        return switch (o) {
            case JobOutcome.Succeeded s -> "succeeded";
            case JobOutcome.Failed f -> "failed (exit " + f.exitCode() + ")";
            case JobOutcome.Cancelled c -> "cancelled";
            case JobOutcome.LimitExceeded l -> "stopped by the " + l.limit().label() + " limit"
                    + (l.detail().isEmpty() ? "" : " (" + l.detail() + ")");
            case JobOutcome.Error e -> "not run: " + e.reason();
        };
    }
}
