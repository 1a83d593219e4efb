package idle.server.dispatch;

import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.Limit;
import java.util.Objects;

/**
 * How a job ends: its terminal state and what the runner is told about it.
 *
 * @param state a terminal state
 * @param exitCode the script's exit code, or null when it did not exit by itself
 * @param limit the limit it hit, or null
 * @param reason why, for the runner ("" when it succeeded)
 */
record Ending(JobState state, Integer exitCode, Limit limit, String reason) {
    Ending {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        if (!state.isTerminal()) {
            throw new IllegalArgumentException(state + " is not terminal");
        }
    }

    /** What a lender's FIN means for the job. */
    static Ending of(JobOutcome outcome) {
        return switch (outcome) {
            case JobOutcome.Succeeded s -> new Ending(JobState.SUCCEEDED, 0, null, "");
            case JobOutcome.Failed f -> new Ending(JobState.FAILED, f.exitCode(), null,
                    "exit code " + f.exitCode());
            case JobOutcome.Cancelled c -> cancelled(Reasons.CANCELLED);
            case JobOutcome.LimitExceeded l -> overLimit(l.limit(),
                    l.limit().label() + " limit: " + l.detail());
            case JobOutcome.Error e -> failed("the lender could not run it: " + e.reason());
        };
    }

    static Ending failed(String reason) {
        return new Ending(JobState.FAILED, null, null, reason);
    }

    static Ending cancelled(String reason) {
        return new Ending(JobState.CANCELLED, null, null, reason);
    }

    static Ending lost(String reason) {
        return new Ending(JobState.LOST, null, null, reason);
    }

    /** {@code detail} is the whole reason (the server's limits say which limit themselves). */
    static Ending overLimit(Limit limit, String detail) {
        return new Ending(JobState.LIMIT_EXCEEDED, null, limit, detail);
    }
}
