package idle.client.cli;

import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How jobs read on a terminal. */
final class JobTexts {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private JobTexts() {
    }

    /** "succeeded", "failed with exit code 3", "stopped by the CPU time limit", ... */
    static String outcome(JobSummary s) {
        String reason = s.reason().isBlank() ? "" : ": " + s.reason();
        return switch (s.state()) {
            case QUEUED -> "queued" + reason;
            case RUNNING -> "running" + (s.lender().isEmpty() ? "" : " on " + s.lender());
            case SUCCEEDED -> "succeeded" + (s.verification().verified() ? " ("
                    + VoteTexts.badge(s) + ")" : "");
            case FAILED -> (s.exitCode() != null ? "failed with exit code " + s.exitCode() : "failed")
                    + reason;
            case CANCELLED -> "cancelled" + reason;
            case LIMIT_EXCEEDED -> "stopped by the "
                    + (s.limit() != null ? s.limit().label() : "lender's") + " limit" + reason;
            case LOST -> "lost" + reason;
            case UNVERIFIED -> "unverified: its lenders' results disagree" + reason;
        };
    }

    /** The exit code a job contributes to {@code idle run}: 0 only for success. */
    static int exitCode(JobSummary s) {
        if (s.state() == JobState.SUCCEEDED) {
            return 0;
        }
        Integer code = s.exitCode();
        return code != null && code != 0 ? code : ExitCodes.FAILURE;
    }

    static String time(long epochMillis) {
        return epochMillis == 0 ? "-" : WHEN.format(Instant.ofEpochMilli(epochMillis));
    }

    static String duration(JobSummary s) {
        if (s.startedAt() == 0) {
            return "-";
        }
        Duration d = Duration.ofMillis(s.durationMillis(System.currentTimeMillis()));
        if (d.toHours() > 0) {
            return String.format("%dh%02dm%02ds", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
        }
        if (d.toMinutes() > 0) {
            return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        }
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
