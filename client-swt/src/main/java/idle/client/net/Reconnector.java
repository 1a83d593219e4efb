package idle.client.net;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Brings a dropped connection back: dials and logs in again with exponential backoff (250 ms,
 * doubling up to {@link ConnectionOptions#maxBackoff()}, plus up to a quarter of random jitter so
 * that many clients of a restarted server do not come back in step), first resuming the session
 * with its token, and logging in afresh when the server no longer knows it.
 *
 * <p>It stops for good when an attempt succeeds, when the login is refused or the server's key is
 * not trusted (trying again cannot help), when {@link ConnectionOptions#giveUpAfter()} has passed,
 * or when {@link #stop} is called. Runs on its own daemon thread, started by {@link #start}; one
 * per drop. The sleep between attempts is the backoff itself, not synchronisation.
 */
final class Reconnector {
    /** What the reconnector needs from its connection. Called on the reconnect thread. */
    interface Target {
        /** Dials and logs in; with {@code resume}, presents the previous session's token. */
        Link open(boolean resume) throws ConnectException;

        /** Whether there is a session whose token can be presented. */
        boolean hasSession();

        /** Whether the connection is closing (then nothing more is attempted). */
        boolean isClosing();

        /** The new link works: make it the current one. */
        void reconnected(Link link, boolean sessionResumed);

        /** An attempt failed and another follows; {@code detail} for a person. */
        void retrying(String detail);

        /** Reconnecting ended for good without success; {@code why} for a person. */
        void gaveUp(String why);
    }

    private static final long FIRST_BACKOFF_MS = 250;

    private final ConnectionOptions options;
    private final Target target;
    private final Thread thread;

    Reconnector(ConnectionOptions options, Target target) {
        this.options = Objects.requireNonNull(options, "options");
        this.target = Objects.requireNonNull(target, "target");
        this.thread = new Thread(this::run, "idle-reconnect");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops trying (an attempt in progress ends with its socket's timeout at the latest). */
    void stop() {
        thread.interrupt();
    }

    private void run() {
        long start = System.nanoTime();
        long backoffMs = FIRST_BACKOFF_MS;
        int attempt = 0;
        while (!target.isClosing()) {
            attempt++;
            try {
                Link l;
                boolean resumed = true;
                try {
                    l = target.open(true);
                } catch (ConnectException e) {
                    if (e.reason() != ConnectException.Reason.PROTOCOL || !target.hasSession()) {
                        throw e;
                    }
                    resumed = false; // the session is gone at the server: log in afresh
                    l = target.open(false);
                }
                if (target.isClosing()) {
                    l.discard();
                    return;
                }
                target.reconnected(l, resumed);
                return;
            } catch (ConnectException e) {
                if (e.isCredentialsRefused() || e.isUntrusted()) {
                    target.gaveUp(e.getMessage());
                    return;
                }
                long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                if (options.giveUpAfter() != null && elapsed >= options.giveUpAfter().toMillis()) {
                    target.gaveUp("gave up reconnecting after " + elapsed / 1000 + " s: "
                            + e.getMessage());
                    return;
                }
                long wait = Math.min(backoffMs, options.maxBackoff().toMillis());
                wait += ThreadLocalRandom.current().nextLong(wait / 4 + 1);
                target.retrying("attempt " + attempt + " failed (" + e.getMessage() + "); next in "
                        + wait + " ms");
                backoffMs = Math.min(backoffMs * 2, options.maxBackoff().toMillis());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
