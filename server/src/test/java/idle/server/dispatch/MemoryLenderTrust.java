package idle.server.dispatch;

import idle.db.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link LenderTrust} for tests, in memory: counts each account's shares by verdict (once
 * their transaction committed), stands an account NEW until it has {@link #strikes} DISAGREED
 * shares, then REPLICAS_ONLY; an admin-like {@link #stand} overrides; spot checks are drawn at
 * {@link #spotCheckRate} (1.0: every unreplicated job, 0: none). Thread-safe.
 */
public final class MemoryLenderTrust implements LenderTrust {
    private final int strikes;
    private final Map<String, Standing> forced = new ConcurrentHashMap<>();
    private final List<Share> recorded = new CopyOnWriteArrayList<>();
    private volatile double spotCheckRate;
    /** Times {@link #record} ran (it may run twice per change: batch, then alone). */
    private final java.util.concurrent.atomic.AtomicInteger applied =
            new java.util.concurrent.atomic.AtomicInteger();

    /** @param strikes DISAGREED shares after which an account gets only replicas */
    public MemoryLenderTrust(int strikes) {
        this.strikes = strikes;
    }

    public MemoryLenderTrust spotCheckRate(double rate) {
        this.spotCheckRate = rate;
        return this;
    }

    /** Makes {@code user} stand {@code s} whatever its record (null: its record decides). */
    public void stand(String user, Standing s) {
        if (s == null) {
            forced.remove(user);
        } else {
            forced.put(user, s);
        }
    }

    @Override
    public Standing standingOf(String lenderUser) {
        Standing f = forced.get(lenderUser);
        if (f != null) {
            return f;
        }
        return count(lenderUser, Verdict.DISAGREED) >= strikes ? Standing.REPLICAS_ONLY
                : Standing.NEW;
    }

    @Override
    public boolean drawSpotCheck() {
        return spotCheckRate > 0 && java.util.concurrent.ThreadLocalRandom.current().nextDouble()
                < spotCheckRate;
    }

    @Override
    public long creditMillis(String user) {
        long ms = 0;
        for (Share s : recorded) {
            if (s.lenderUser().equals(user) && (s.verdict() == Verdict.AGREED
                    || s.verdict() == Verdict.UNCHECKED)) {
                ms += s.cpuMillis();
            }
        }
        return ms;
    }

    @Override
    public void record(Transaction tx, List<Share> shares) {
        applied.incrementAndGet();
    }

    @Override
    public void recorded(List<Share> shares) {
        recorded.addAll(shares);
    }

    /** Shares of {@code user} with {@code verdict} recorded so far. */
    public int count(String user, Verdict verdict) {
        int n = 0;
        for (Share s : recorded) {
            if (s.lenderUser().equals(user) && s.verdict() == verdict) {
                n++;
            }
        }
        return n;
    }

    /** Every share recorded, in order. */
    public List<Share> shares() {
        return new ArrayList<>(recorded);
    }
}
