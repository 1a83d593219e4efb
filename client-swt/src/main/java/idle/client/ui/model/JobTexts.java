package idle.client.ui.model;

import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How jobs read in tables and notes. Pure functions; any thread. */
public final class JobTexts {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private JobTexts() {
    }

    public static String state(JobState state) {
        return switch (state) {
            case QUEUED -> "Queued";
            case RUNNING -> "Running";
            case SUCCEEDED -> "Succeeded";
            case FAILED -> "Failed";
            case CANCELLED -> "Cancelled";
            case LIMIT_EXCEEDED -> "Limit exceeded";
            case LOST -> "Lost";
            case UNVERIFIED -> "Unverified";
        };
    }

    /** One plain sentence about how a finished job ended. */
    public static String outcome(JobSummary job) {
        return switch (job.state()) {
            case SUCCEEDED -> "Finished successfully";
            case FAILED -> job.exitCode() != null ? "Exited with code " + job.exitCode()
                    : nonEmpty(job.reason(), "Failed");
            case CANCELLED -> "Cancelled";
            case LIMIT_EXCEEDED -> "Stopped by the lender's " + (job.limit() != null ? job.limit().label()
                    : "limit") + (job.reason().isEmpty() ? "" : ": " + job.reason());
            case LOST -> nonEmpty(job.reason(), "Lost: its lenders kept disappearing");
            case UNVERIFIED -> nonEmpty(job.reason(), "Unverified: its lenders' results disagree");
            default -> job.reason();
        };
    }

    /** "0.4 s", "12 s", "1:05", "12:03:09", or "" before the start. */
    public static String elapsed(JobSummary job, long now) {
        if (job == null || job.startedAt() == 0) {
            return "";
        }
        return elapsed(job.durationMillis(now));
    }

    /** {@code ms} as "0.4 s", "12 s", "1:05" or "12:03:09". */
    public static String elapsed(long ms) {
        if (ms < 10_000) {
            return String.format("%.1f s", ms / 1000.0);
        }
        if (ms < 60_000) {
            return ms / 1000 + " s";
        }
        long s = ms / 1000;
        long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
        return h > 0 ? String.format("%d:%02d:%02d", h, m, sec) : String.format("%d:%02d", m, sec);
    }

    public static String exitCode(JobSummary job) {
        return job == null || job.exitCode() == null ? "" : Integer.toString(job.exitCode());
    }

    public static String time(long epochMillis) {
        return epochMillis == 0 ? "" : TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return String.format("%.1f MiB", n / (1024.0 * 1024));
    }

    /** CPU time as "0.42 s", "3 min 12 s". */
    public static String cpu(long millis) {
        if (millis < 60_000) {
            return String.format("%.2f s", millis / 1000.0);
        }
        return (millis / 60_000) + " min " + (millis / 1000) % 60 + " s";
    }

    private static String nonEmpty(String s, String otherwise) {
        return s == null || s.isEmpty() ? otherwise : s;
    }
}
