package idle.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {
    @Test
    void capsPerAddressWithoutDisturbingOthers() {
        ConnectionLimiter limiter = new ConnectionLimiter(3, 100);
        for (int i = 0; i < 3; i++) {
            assertEquals(ConnectionLimiter.Refusal.NONE, limiter.tryOpen("a"));
        }
        assertEquals(ConnectionLimiter.Refusal.PER_ADDRESS, limiter.tryOpen("a"));
        assertEquals(ConnectionLimiter.Refusal.NONE, limiter.tryOpen("b"));
        limiter.closed("a");
        assertEquals(ConnectionLimiter.Refusal.NONE, limiter.tryOpen("a"));
        assertEquals(4, limiter.open());
    }

    @Test
    void capsTheTotal() {
        ConnectionLimiter limiter = new ConnectionLimiter(10, 2);
        limiter.tryOpen("a");
        limiter.tryOpen("b");
        assertEquals(ConnectionLimiter.Refusal.TOTAL, limiter.tryOpen("c"));
        assertEquals(0, limiter.openFrom("c"));
        limiter.closed("a");
        assertEquals(0, limiter.openFrom("a"));
        assertEquals(ConnectionLimiter.Refusal.NONE, limiter.tryOpen("c"));
    }
}
