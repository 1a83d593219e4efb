package idle.shared.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The shared poll helper: sees a condition that comes true, gives up at its deadline. */
class PollTest {
    @Test
    void returnsOnceTheConditionHolds() {
        AtomicInteger checks = new AtomicInteger();
        assertTrue(Poll.until(() -> checks.incrementAndGet() >= 3, Duration.ofSeconds(10)));
        assertEquals(3, checks.get(), "stops checking as soon as the condition held");
    }

    @Test
    void givesUpAtTheDeadlineNotBefore() {
        long t0 = System.nanoTime();
        assertFalse(Poll.until(() -> false, Duration.ofMillis(100)));
        assertTrue(System.nanoTime() - t0 >= 100_000_000L, "waited the whole timeout");
    }

    @Test
    void requireNamesWhatItWaitedFor() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Poll.require(() -> false, Duration.ofMillis(10), "the moon"));
        assertTrue(e.getMessage().endsWith("waiting for the moon"), e.getMessage());
    }

    @Test
    void anInterruptEndsTheWaitAndIsKept() {
        Thread.currentThread().interrupt();
        try {
            assertFalse(Poll.until(() -> false, Duration.ofSeconds(30)));
            assertTrue(Thread.currentThread().isInterrupted(), "the flag is set again");
        } finally {
            Thread.interrupted();
        }
    }
}
