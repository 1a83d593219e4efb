package idle.client.lender;

import idle.shared.model.LenderCredit;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one way the lender's parts ({@link LenderAgent}, {@link JobRun}, {@link OwnerPause}) talk to
 * the {@link LenderListener}: log lines get a local time stamp, and a listener that throws cannot
 * break a job or the agent (the exception is logged and dropped).
 *
 * <p>Thread-safe as far as the listener is: called from the connection's, the jobs' and the
 * when-idle threads, possibly at once.
 */
final class LenderEvents {
    private static final Logger LOG = Logger.getLogger(LenderEvents.class.getName());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final LenderListener listener;

    LenderEvents(LenderListener listener) {
        this.listener = Objects.requireNonNull(listener);
    }

    /** One line for a person, stamped with the local time. */
    void log(String line) {
        String stamped = "[" + TIME.format(Instant.now()) + "] " + line;
        safe(() -> listener.log(stamped));
    }

    void started(String pseudonym) {
        safe(() -> listener.started(pseudonym));
    }

    void jobStarted(long jobId, int attempt, String scriptName, String scriptSha256) {
        safe(() -> listener.jobStarted(jobId, attempt, scriptName, scriptSha256));
    }

    void jobFinished(ServedJob job) {
        safe(() -> listener.jobFinished(job));
    }

    void availabilityChanged(boolean available, String reason) {
        safe(() -> listener.availabilityChanged(available, reason));
    }

    void creditChanged(LenderCredit credit) {
        safe(() -> listener.creditChanged(credit));
    }

    void stopped(Throwable error) {
        safe(() -> listener.stopped(error));
    }

    private static void safe(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "lender listener failed", e);
        }
    }
}
