package idle.server.net;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps open connections per remote address and in total, so one address cannot exhaust the server
 * for everyone else. The acceptor asks {@link #tryOpen} for each accepted socket and closes the
 * socket when it is refused; every granted connection must call {@link #closed} exactly once.
 * Thread-safe and lock-free.
 */
public final class ConnectionLimiter {
    /** Why a connection was refused. */
    public enum Refusal { NONE, PER_ADDRESS, TOTAL }

    private final int perAddress;
    private final int total;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();

    public ConnectionLimiter(int perAddress, int total) {
        if (perAddress < 1 || total < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.perAddress = perAddress;
        this.total = total;
    }

    /** Counts a new connection from {@code address}, or says which cap refuses it. */
    public Refusal tryOpen(String address) {
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            return Refusal.TOTAL;
        }
        AtomicInteger n = byAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (n.incrementAndGet() > perAddress) {
            n.decrementAndGet();
            open.decrementAndGet();
            return Refusal.PER_ADDRESS;
        }
        return Refusal.NONE;
    }

    /** A granted connection from {@code address} has closed. */
    public void closed(String address) {
        open.decrementAndGet();
        byAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public int open() {
        return open.get();
    }

    public int openFrom(String address) {
        AtomicInteger n = byAddress.get(address);
        return n == null ? 0 : n.get();
    }
}
