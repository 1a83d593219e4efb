package idle.fault;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until a deadline: how these tests wait, never by sleeping a fixed time. */
public final class Poll {
    private Poll() {
    }

    public static boolean until(BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 5;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(pause);
            pause = Math.min(100, pause * 2);
        }
        return true;
    }

    public static void require(BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        if (!until(condition, timeout)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for "
                    + what);
        }
    }
}
