package idle.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LoginThrottle throttle = new LoginThrottle(LoginThrottle.Policy.standard(),
            now::get);

    @Test
    void failuresDoubleTheWaitFromOneSecondUpToTheCap() {
        assertEquals(Duration.ZERO, throttle.waitBefore("alice", "10.0.0.9"));
        long[] expected = {1, 2, 4, 8, 16, 32, 60, 60};
        for (long seconds : expected) {
            throttle.failed("alice", "10.0.0.9");
            assertEquals(Duration.ofSeconds(seconds), throttle.waitBefore("alice", "10.0.0.9"));
        }
    }

    @Test
    void waitShrinksAsTimePassesAndCountsAreForgotten() {
        throttle.failed("bob", "a");
        throttle.failed("bob", "a");
        now.addAndGet(Duration.ofMillis(500).toNanos());
        assertEquals(Duration.ofMillis(1500), throttle.waitBefore("bob", "a"));
        now.addAndGet(Duration.ofMinutes(16).toNanos());
        throttle.failed("bob", "a");
        assertEquals(Duration.ofSeconds(1), throttle.waitBefore("bob", "a"), "restarted from 1 s");
    }

    @Test
    void aRealUserElsewhereWaitsAtMostTheAccountCap() {
        for (int i = 0; i < 50; i++) {
            throttle.failed("carol", "attacker");
        }
        Duration forOwner = throttle.waitBefore("carol", "home");
        assertEquals(Duration.ofSeconds(8), forOwner);
        assertFalse(throttle.tooLong(forOwner));
        assertTrue(throttle.tooLong(throttle.waitBefore("carol", "attacker")));
        assertEquals(Duration.ZERO, throttle.waitBefore("dave", "attacker"),
                "other accounts from the same address are not slowed by one account's failures");
    }

    @Test
    void sprayingManyAccountsFromOneAddressIsSlowed() {
        for (int i = 0; i < 52; i++) {
            throttle.failed("user" + i, "sprayer");
        }
        assertEquals(Duration.ofSeconds(2), throttle.waitBefore("fresh", "sprayer"));
        assertEquals(Duration.ZERO, throttle.waitBefore("fresh", "elsewhere"));
    }

    @Test
    void successClearsTheAccount() {
        throttle.failed("erin", "x");
        throttle.succeeded("erin", "x");
        assertEquals(Duration.ZERO, throttle.waitBefore("erin", "x"));
    }

    @Test
    void attemptsInFlightCountAsFailuresUntilTheyEnd() {
        LoginThrottle.Attempt a = throttle.begin("frank", "x");
        LoginThrottle.Attempt b = throttle.begin("frank", "x");
        LoginThrottle.Attempt c = throttle.begin("frank", "x");
        assertEquals(Duration.ZERO, a.waitBefore());
        assertEquals(Duration.ofSeconds(1), b.waitBefore(), "one attempt in flight before it");
        assertEquals(Duration.ofSeconds(2), c.waitBefore(), "two in flight before it");
        b.abandoned();
        c.abandoned();
        a.failed();
        a.failed(); // ending twice changes nothing
        assertEquals(Duration.ofSeconds(1), throttle.waitBefore("frank", "x"));
        throttle.begin("frank", "x").succeeded();
        assertEquals(Duration.ZERO, throttle.waitBefore("frank", "x"));
    }

    @Test
    void aliasesOfANameShareItsCounters() {
        throttle.failed("grace", "x");
        throttle.failed("grace ", "x");
        throttle.failed("GRACE", "x");
        throttle.failed("grace\t", "x");
        assertEquals(Duration.ofSeconds(8), throttle.waitBefore("Grace", "x"));
        assertEquals(Duration.ofSeconds(8), throttle.waitBefore("grace", "elsewhere"),
                "the account cap for the real user elsewhere");
    }
}
