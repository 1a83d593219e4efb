package idle.server.net;

import java.time.Duration;

/**
 * The one deadline of a connection's way in (hello and login), counted from when the connection
 * was accepted. The server's own time checking a password does not end a login: while a check
 * runs ({@link #checking}) the acceptor's watchdog leaves the session alone, and the reader
 * enforces the deadline again right after it.
 *
 * <p>Thread-safe: used by the session's reader thread and the acceptor's watchdog. Lives as long
 * as its session.
 */
final class LoginDeadline {
    private final long deadlineNanos;
    private final long maxReadMillis;
    private volatile boolean checking;
    private boolean passed; // guarded by this

    /**
     * @param acceptedNanos {@link System#nanoTime} when the connection was accepted
     * @param deadline how long the way in may take
     * @param maxReadMillis the longest one read may wait (the silence limit), in ms
     */
    LoginDeadline(long acceptedNanos, Duration deadline, long maxReadMillis) {
        this.deadlineNanos = acceptedNanos + deadline.toNanos();
        this.maxReadMillis = maxReadMillis;
    }

    /** The timeout of the next read before login, in ms: 0 or less once the deadline passed. */
    long readTimeoutMillis() {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        return left <= 0 ? left : Math.min(left, maxReadMillis);
    }

    /** A password check starts ({@code true}) or ended: the server's time, not the peer's. */
    void checking(boolean running) {
        checking = running;
    }

    boolean isChecking() {
        return checking;
    }

    /**
     * Runs {@code onPassed} for the first caller only: the reader and the watchdog may both see
     * the deadline pass. A later caller returns only after the first one's has run.
     */
    synchronized void passed(Runnable onPassed) {
        if (!passed) {
            passed = true;
            onPassed.run();
        }
    }
}
