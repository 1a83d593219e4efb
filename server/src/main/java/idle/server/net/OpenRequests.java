package idle.server.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the requests a client has open on one connection, so the session can refuse new ones
 * beyond a cap: the exchanges of its own requests (positive ids: follows, file transfers) and
 * submissions accepted but not answered yet (their exchange opens after the database commit, on
 * another thread). Server-side exchanges (negative ids) are not counted. Thread-safe.
 */
final class OpenRequests {
    private final int cap;
    private final AtomicInteger exchanges = new AtomicInteger();
    private final Set<Integer> awaiting = ConcurrentHashMap.newKeySet();

    OpenRequests(int cap) {
        this.cap = cap;
    }

    /** True while one more request fits. */
    boolean hasRoom() {
        return exchanges.get() + awaiting.size() < cap;
    }

    /** A submission with {@code id} was accepted; it counts until {@link #ended} or opened. */
    void awaiting(int id) {
        awaiting.add(id);
    }

    boolean isAwaiting(int id) {
        return awaiting.contains(id);
    }

    /** The exchange {@code id} was opened ({@code fresh}: no exchange had that id before). */
    void opened(int id, boolean fresh) {
        awaiting.remove(id);
        if (fresh && id > 0) {
            exchanges.incrementAndGet();
        }
    }

    /** The exchange {@code id}, which existed, was closed. */
    void closed(int id) {
        if (id > 0) {
            exchanges.decrementAndGet();
        }
    }

    /** The request {@code id} was answered with a refusal: it opens no exchange. */
    void ended(int id) {
        awaiting.remove(id);
    }
}
