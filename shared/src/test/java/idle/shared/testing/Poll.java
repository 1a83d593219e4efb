package idle.shared.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The one way tests of every module wait for state that has no event to wait on: re-check a
 * condition with a short, growing pause until it holds or a deadline passes. Never a fixed sleep.
 *
 * <p>Shipped only in idle-shared's test-jar (test scope in the other modules). The condition runs
 * on the calling thread; it must be cheap and must not block. Pauses grow from 1 ms to
 * {@value #MAX_PAUSE_MS} ms so a quick condition is seen quickly and a slow one does not burn a
 * core of the shared test machine.
 */
public final class Poll {
    /** Longest pause between two checks, in milliseconds. */
    public static final long MAX_PAUSE_MS = 20;

    private Poll() {
    }

    /**
     * Checks {@code condition} until it holds or {@code timeout} has passed.
     *
     * @return true once the condition held; false at the deadline, or if the thread was
     *         interrupted (the interrupt flag is set again for the caller)
     */
    public static boolean until(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(pause * 2, MAX_PAUSE_MS);
        }
        return true;
    }

    /**
     * Like {@link #until} but fails the test: throws an {@link AssertionError} naming
     * {@code what} (and whether the wait timed out or was interrupted) if the condition did not
     * hold in time.
     */
    public static void require(BooleanSupplier condition, Duration timeout, String what) {
        if (!until(condition, timeout)) {
            throw new AssertionError((Thread.currentThread().isInterrupted()
                    ? "interrupted while waiting for " : "timed out after " + timeout.toMillis()
                    + " ms waiting for ") + what);
        }
    }
}
