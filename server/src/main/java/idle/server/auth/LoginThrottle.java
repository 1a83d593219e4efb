package idle.server.auth;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>The account is the canonical key of the typed name ({@link UserNames#key}), so aliases of a
 * name ({@code "alice "}, {@code "ALICE"}) share its counts.
 *
 * <p>An attempt is reserved before it is checked: {@link #begin} counts it as in flight under its
 * keys and returns its wait, which counts the attempts in flight as failures, so N parallel
 * guesses wait 0, 1 s, 2 s, ... as if they came one after the other (they cannot all read a wait
 * of 0 before the first failure is recorded). The caller waits that long (a virtual thread
 * sleeping is cheap) or refuses at once when {@link #tooLong}, then ends the attempt exactly once:
 * {@link Attempt#failed}, {@link Attempt#succeeded}, or {@link Attempt#abandoned} when no password
 * was checked (refused, busy, interrupted). Thread-safe; every operation is short and holds one
 * lock.
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

    /** Failures counted, attempts in flight, and the time of the last failure or reservation. */
    private record Counter(int failures, int pending, long lastNanos) {
    }

    /** One reserved login attempt; end it exactly once (later calls do nothing). */
    public final class Attempt {
        private final String[] keys;
        private final Duration wait;
        private boolean ended;

        private Attempt(String[] keys, Duration wait) {
            this.keys = keys;
            this.wait = wait;
        }

        /** How long to wait before checking the password. */
        public Duration waitBefore() {
            return wait;
        }

        /** The password was wrong (or the name impossible). */
        public void failed() {
            end(Outcome.FAILED);
        }

        /** The password was right: the account and the pair are cleared. */
        public void succeeded() {
            end(Outcome.SUCCEEDED);
        }

        /** No password was checked (refused as throttled or busy, or interrupted). */
        public void abandoned() {
            end(Outcome.ABANDONED);
        }

        private void end(Outcome o) {
            lock.lock();
            try {
                if (ended) {
                    return;
                }
                ended = true;
                long now = nanoClock.getAsLong();
                for (int i = 0; i < keys.length; i++) {
                    boolean clears = o == Outcome.SUCCEEDED && i < 2; // the pair and the account
                    counters.computeIfPresent(keys[i], (k, c) -> {
                        int pending = Math.max(0, c.pending() - 1);
                        int failures = clears ? 0 : o == Outcome.FAILED
                                ? (expired(c, now) ? 0 : c.failures()) + 1 : c.failures();
                        long last = o == Outcome.FAILED ? now : c.lastNanos();
                        return failures == 0 && pending == 0 ? null
                                : new Counter(failures, pending, last);
                    });
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private enum Outcome { FAILED, SUCCEEDED, ABANDONED }

    private final Policy policy;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Counter> counters = new HashMap<>();

    public LoginThrottle(Policy policy, LongSupplier nanoClock) {
        this.policy = policy;
        this.nanoClock = nanoClock;
    }

    public LoginThrottle(Policy policy) {
        this(policy, System::nanoTime);
    }

    /**
     * Reserves an attempt for {@code account} (a name as typed; counted under its canonical key)
     * from {@code address}: its wait counts every attempt already in flight under the same keys.
     */
    public Attempt begin(String account, String address) {
        String[] keys = keys(account, address);
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            Duration wait = waitLocked(keys, now);
            for (String key : keys) {
                counters.compute(key, (k, c) -> c == null || expired(c, now)
                        ? new Counter(0, 1, now)
                        : new Counter(c.failures(), c.pending() + 1, now));
            }
            if (counters.size() > 100_000) {
                counters.values().removeIf(c -> expired(c, now));
            }
            return new Attempt(keys, wait);
        } finally {
            lock.unlock();
        }
    }

    /** The wait an attempt would get now, without reserving one (tests, monitoring). */
    public Duration waitBefore(String account, String address) {
        lock.lock();
        try {
            return waitLocked(keys(account, address), nanoClock.getAsLong());
        } finally {
            lock.unlock();
        }
    }

    /** True when the wait is too long to hold the connection: refuse with THROTTLED instead. */
    public boolean tooLong(Duration wait) {
        return wait.compareTo(policy.maxWait()) > 0;
    }

    /** Records a finished failed attempt (same as {@code begin(...).failed()}). */
    public void failed(String account, String address) {
        begin(account, address).failed();
    }

    /** Records a finished successful attempt (same as {@code begin(...).succeeded()}). */
    public void succeeded(String account, String address) {
        begin(account, address).succeeded();
    }

    private Duration waitLocked(String[] keys, long now) {
        long wait = Math.max(remaining(keys[0], 0, policy.pairCap(), now),
                remaining(keys[1], 0, policy.accountCap(), now));
        wait = Math.max(wait, remaining(keys[2], policy.addressFreeFailures(),
                policy.addressCap(), now));
        return Duration.ofNanos(wait);
    }

    private long remaining(String key, int free, Duration cap, long now) {
        Counter c = counters.get(key);
        if (c == null || expired(c, now)) {
            return 0;
        }
        int n = c.failures() + c.pending();
        if (n <= free) {
            return 0;
        }
        int exp = Math.min(30, n - free - 1);
        long delay = Math.min(cap.toNanos(), policy.base().toNanos() << exp);
        if (delay < 0) {
            delay = cap.toNanos();
        }
        return Math.max(0, delay - (now - c.lastNanos()));
    }

    /** Forgotten: nothing in flight and no failure for {@link Policy#forgetAfter}. */
    private boolean expired(Counter c, long now) {
        return c.pending() == 0 && now - c.lastNanos() > policy.forgetAfter().toNanos();
    }

    /** The pair, the account and the address keys, in that order. */
    private static String[] keys(String account, String address) {
        String a = UserNames.key(account);
        return new String[] {"p\0" + a + "\0" + address, "a\0" + a, "i\0" + address};
    }
}
