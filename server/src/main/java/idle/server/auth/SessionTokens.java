package idle.server.auth;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resume tokens: 256 random bits (Base64url) that let a client re-attach to its session after a
 * network drop without typing the password again. A token lives while its session is connected
 * and for {@code lifetime} after the connection dropped; logout revokes it at once. Whatever
 * happens, a token is good for at most {@code absoluteLifetime} after the password login that
 * issued it ({@link #remaining}); then the client must log in with its password again.
 *
 * <p>{@link #revokeUser} (account disabled, password changed) ends every token of the account and
 * remembers when, so a login whose password check began before it cannot get a token after it
 * ({@link #issue(String, boolean, long)}).
 */
public final class SessionTokens {
    /** What a token stands for. */
    public record Grant(String user, boolean admin) {
    }

    private record Entry(Grant grant, long expiresAt, long endsAt) {
    }

    private static final long LIVE = Long.MAX_VALUE;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
    /** {@link System#nanoTime} of each account's last revocation (one entry per account at most). */
    private final Map<String, Long> revokedAt = new ConcurrentHashMap<>();
    private final long lifetimeMillis;
    private final long absoluteMillis;

    public SessionTokens(Duration lifetime) {
        this(lifetime, Duration.ofDays(365));
    }

    /**
     * @param lifetime how long a token stays valid after its connection dropped
     * @param absoluteLifetime how long a token is valid at most after it was issued
     */
    public SessionTokens(Duration lifetime, Duration absoluteLifetime) {
        this.lifetimeMillis = lifetime.toMillis();
        this.absoluteMillis = absoluteLifetime.toMillis();
    }

    public String issue(String user, boolean admin) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        String t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        tokens.put(t, new Entry(new Grant(user, admin), LIVE,
                System.currentTimeMillis() + absoluteMillis));
        return t;
    }

    /**
     * A token for a login whose password check began at {@code checkStartedNanos}
     * ({@link System#nanoTime}), or null when the account's tokens were revoked since then: the
     * check may have used a password that has just been changed, or an account just disabled.
     */
    public synchronized String issue(String user, boolean admin, long checkStartedNanos) {
        Long revoked = revokedAt.get(user);
        if (revoked != null && revoked - checkStartedNanos >= 0) {
            return null;
        }
        return issue(user, admin);
    }

    /** The grant of a valid token (now live again), or null. */
    public Grant resume(String token) {
        if (token == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        Grant[] granted = new Grant[1];
        // Atomic per token: a revocation running at the same time cannot be undone by this.
        tokens.computeIfPresent(token, (k, e) -> {
            if (e.expiresAt < now || e.endsAt <= now) {
                return e;
            }
            granted[0] = e.grant;
            return new Entry(e.grant, LIVE, e.endsAt);
        });
        return granted[0];
    }

    /** How long the session of {@code token} may still last (zero when unknown or over). */
    public Duration remaining(String token) {
        Entry e = token == null ? null : tokens.get(token);
        return e == null ? Duration.ZERO
                : Duration.ofMillis(Math.max(0, e.endsAt - System.currentTimeMillis()));
    }

    /** The token's connection dropped: it stays valid for the lifetime. */
    public void detach(String token) {
        tokens.computeIfPresent(token, (k, e) -> new Entry(e.grant,
                Math.min(e.endsAt, System.currentTimeMillis() + lifetimeMillis), e.endsAt));
        purge();
    }

    public void revoke(String token) {
        if (token != null) {
            tokens.remove(token);
        }
    }

    /** Revokes every token of {@code user} (account disabled, password changed). */
    public synchronized void revokeUser(String user) {
        revokedAt.put(user, System.nanoTime());
        for (String t : tokens.keySet()) {
            // atomic per token, whatever resume or detach do to it meanwhile
            tokens.computeIfPresent(t, (k, e) -> e.grant.user().equals(user) ? null : e);
        }
    }

    /** True when {@code token} is known and its absolute lifetime is over. */
    public boolean expired(String token) {
        Entry e = token == null ? null : tokens.get(token);
        return e != null && e.endsAt <= System.currentTimeMillis();
    }

    /** True while {@code token} is known and its session not over. */
    public boolean isValid(String token) {
        return !remaining(token).isZero();
    }

    private void purge() {
        long now = System.currentTimeMillis();
        for (Iterator<Entry> it = tokens.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt < now) {
                it.remove();
            }
        }
    }
}
