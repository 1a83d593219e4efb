package idle.shared.model;

import java.util.Objects;

/** How a job's process ended on a lender. */
public sealed interface JobOutcome {
    /** The job state this outcome leads to. */
    JobState state();

    /** Exited with status 0. */
    record Succeeded() implements JobOutcome {
        public JobState state() {
            return JobState.SUCCEEDED;
        }
    }

    /** Exited with a non-zero status (or was killed by a signal: 128 + signal). */
    record Failed(int exitCode) implements JobOutcome {
        public JobState state() {
            return JobState.FAILED;
        }
    }

    /** Killed because its owner cancelled it. */
    record Cancelled() implements JobOutcome {
        public JobState state() {
            return JobState.CANCELLED;
        }
    }

    /** Stopped by a lender limit. */
    record LimitExceeded(Limit limit, String detail) implements JobOutcome {
        public LimitExceeded {
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(detail, "detail");
        }

        public JobState state() {
            return JobState.LIMIT_EXCEEDED;
        }
    }

    /** The lender could not run it at all (sandbox failure, bad input); not the script's fault. */
    record Error(String reason) implements JobOutcome {
        public Error {
            Objects.requireNonNull(reason, "reason");
        }

        public JobState state() {
            return JobState.FAILED;
        }
    }
}
