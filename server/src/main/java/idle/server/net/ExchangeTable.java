package idle.server.net;

import idle.server.peer.Peer.Exchange;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The open exchanges of one connection, by request id, and the count of the requests its client
 * has open, so the session can refuse new ones beyond a cap. Counted are the exchanges of the
 * client's own requests (positive ids: follows, file transfers) and submissions accepted but not
 * answered yet (their exchange opens after the database commit, on another thread); server-side
 * exchanges (negative ids) are not. Owned by one {@link Session}; thread-safe.
 */
final class ExchangeTable {
    private static final Logger LOG = Logger.getLogger(ExchangeTable.class.getName());

    private final int cap;
    private final Map<Integer, Exchange> byId = new ConcurrentHashMap<>();
    private final AtomicInteger counted = new AtomicInteger();
    private final Set<Integer> awaiting = ConcurrentHashMap.newKeySet();

    ExchangeTable(int cap) {
        this.cap = cap;
    }

    /** The exchange open under {@code id}, or null. */
    Exchange get(int id) {
        return byId.get(id);
    }

    /** Routes {@code id} to {@code exchange} (replacing any before it under that id). */
    void open(int id, Exchange exchange) {
        boolean fresh = byId.put(id, exchange) == null;
        awaiting.remove(id);
        if (fresh && id > 0) {
            counted.incrementAndGet();
        }
    }

    /** Stops routing {@code id}; nothing when no exchange is open under it. */
    void close(int id) {
        if (byId.remove(id) != null && id > 0) {
            counted.decrementAndGet();
        }
    }

    /** The connection is gone: every open exchange is told so, and the table is emptied. */
    void closeAll() {
        for (Exchange e : byId.values()) {
            try {
                e.onClose();
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "closing an exchange", ex);
            }
        }
        byId.clear();
    }

    /** Most requests counted at once. */
    int cap() {
        return cap;
    }

    /** True while one more request fits. */
    boolean hasRoom() {
        return counted.get() + awaiting.size() < cap;
    }

    /** Whether {@code id} names an open exchange or a submission awaiting its commit. */
    boolean inUse(int id) {
        return byId.containsKey(id) || awaiting.contains(id);
    }

    /** A submission with {@code id} was accepted; it counts until refused or opened. */
    void awaiting(int id) {
        awaiting.add(id);
    }

    /**
     * A frame went out under {@code id}; {@code refusal} when it is a FLD, ILR or NLA, which
     * ends a client's request without an exchange.
     */
    void sent(int id, boolean refusal) {
        if (refusal && id > 0) {
            awaiting.remove(id);
        }
    }
}
