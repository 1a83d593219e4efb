package idle.server.auth;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Slows password guessing down without letting an attacker lock a real user out for long.
 *
 * <p>Failed logins are counted under three keys: the account, the account from one address, and
 * the address alone. After {@code n} counted failures a key imposes a wait of
 * {@code base * 2^(n-1)} (1 s, 2 s, 4 s, ...) since its last failure, capped per key kind: the
 * account+address pair up to {@link Policy#pairCap} (the attacker's own cost), the account alone
 * only up to {@link Policy#accountCap} (what a real user at another address may have to wait), and
 * the address alone only after {@link Policy#addressFreeFailures} failures (password spraying
 * across many accounts), up to {@link Policy#addressCap}. A success clears the account and the
 * pair; counts are forgotten after {@link Policy#forgetAfter} without failures.
 *
 * <p>The caller asks {@link #waitBefore} before checking a password, waits that long (a virtual
 * thread sleeping is cheap) or refuses at once when it exceeds {@link Policy#maxWait}, then
 * reports the result with {@link #failed} or {@link #succeeded}. Thread-safe.
 */
public final class LoginThrottle {
    /** Tunables; times in the policy are {@link Duration}s. */
    public record Policy(Duration base, Duration pairCap, Duration accountCap,
            int addressFreeFailures, Duration addressCap, Duration forgetAfter, Duration maxWait) {
        /** About 1 s doubling; 60 s for the guessing pair, 8 s for the account, 60 s per address. */
        public static Policy standard() {
            return new Policy(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(8),
                    50, Duration.ofSeconds(60), Duration.ofMinutes(15), Duration.ofSeconds(8));
        }
    }

    private record Counter(int failures, long lastFailureNanos) {
    }

    private final Policy policy;
    private final LongSupplier nanoClock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public LoginThrottle(Policy policy, LongSupplier nanoClock) {
        this.policy = policy;
        this.nanoClock = nanoClock;
    }

    public LoginThrottle(Policy policy) {
        this(policy, System::nanoTime);
    }

    /** How long an attempt for {@code account} from {@code address} must wait before its check. */
    public Duration waitBefore(String account, String address) {
        long now = nanoClock.getAsLong();
        long wait = Math.max(remaining(pairKey(account, address), 0, policy.pairCap(), now),
                remaining(accountKey(account), 0, policy.accountCap(), now));
        wait = Math.max(wait, remaining(addressKey(address), policy.addressFreeFailures(),
                policy.addressCap(), now));
        return Duration.ofNanos(wait);
    }

    /** True when the wait is too long to hold the connection: refuse with THROTTLED instead. */
    public boolean tooLong(Duration wait) {
        return wait.compareTo(policy.maxWait()) > 0;
    }

    public void failed(String account, String address) {
        long now = nanoClock.getAsLong();
        for (String key : new String[] {pairKey(account, address), accountKey(account),
                addressKey(address)}) {
            counters.compute(key, (k, c) -> new Counter(
                    (c == null || expired(c, now) ? 0 : c.failures()) + 1, now));
        }
        if (counters.size() > 100_000) {
            counters.entrySet().removeIf(e -> expired(e.getValue(), now));
        }
    }

    public void succeeded(String account, String address) {
        counters.remove(pairKey(account, address));
        counters.remove(accountKey(account));
    }

    private long remaining(String key, int free, Duration cap, long now) {
        Counter c = counters.get(key);
        if (c == null || expired(c, now) || c.failures() <= free) {
            return 0;
        }
        int exp = Math.min(30, c.failures() - free - 1);
        long delay = Math.min(cap.toNanos(), policy.base().toNanos() << exp);
        if (delay < 0) {
            delay = cap.toNanos();
        }
        return Math.max(0, delay - (now - c.lastFailureNanos()));
    }

    private boolean expired(Counter c, long now) {
        return now - c.lastFailureNanos() > policy.forgetAfter().toNanos();
    }

    private static String pairKey(String account, String address) {
        return "p\0" + account + "\0" + address;
    }

    private static String accountKey(String account) {
        return "a\0" + account;
    }

    private static String addressKey(String address) {
        return "i\0" + address;
    }
}
