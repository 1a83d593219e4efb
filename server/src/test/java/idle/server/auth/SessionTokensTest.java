package idle.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionTokensTest {
    private final SessionTokens tokens = new SessionTokens(Duration.ofMinutes(10));

    @Test
    void revokingAUserEndsItsTokensAndALoginCheckedBeforeItGetsNone() {
        String a = tokens.issue("alice", false);
        String b = tokens.issue("bob", false);
        long checkStarted = System.nanoTime();
        tokens.revokeUser("alice");
        assertNull(tokens.resume(a), "revoked");
        assertEquals("bob", tokens.resume(b).user(), "another user's token lives");
        assertNull(tokens.issue("alice", false, checkStarted),
                "a password check that began before the revocation gets no token");
        String later = tokens.issue("alice", false, System.nanoTime());
        assertNotNull(later, "a check that began after it does");
        assertTrue(tokens.isValid(later));
    }
}
