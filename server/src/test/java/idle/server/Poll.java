package idle.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until a deadline (for state that has no event to wait on). */
final class Poll {
    private Poll() {
    }

    static boolean until(BooleanSupplier cond, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(pause * 2, 20);
        }
        return true;
    }
}
