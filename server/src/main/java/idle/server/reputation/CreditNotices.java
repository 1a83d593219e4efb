package idle.server.reputation;

import idle.db.repository.LenderRecord;
import idle.server.peer.Peer;
import idle.shared.message.Message;
import idle.shared.model.LenderCredit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells lenders their own account's record ({@code CRD}): once when a connection becomes a
 * lender, and again on every lender connection of the account whenever its record changes (a job
 * it ran ended, an admin suspended or resumed it). A notice carries the account's record only:
 * no job, no runner.
 *
 * <p>Threads: thread-safe; {@link #lenderOnline} and {@link #gone} run on connections' reader
 * threads, the change notices on the thread that changed the record (the store writer's or an
 * admin's). Sending only queues a frame, so nothing here blocks. Lives as long as the server.
 */
public final class CreditNotices {
    private final Reputation reputation;
    /** The connections that are (or were, until they end) lenders, by account. */
    private final Map<String, Set<Peer>> lenders = new ConcurrentHashMap<>();

    public CreditNotices(Reputation reputation) {
        this.reputation = reputation;
        reputation.onChange(r -> changed(r.user()));
    }

    /** {@code peer} became a lender: it gets its account's record now and after each change. */
    public void lenderOnline(Peer peer) {
        lenders.computeIfAbsent(peer.user(), u -> ConcurrentHashMap.newKeySet()).add(peer);
        send(peer);
    }

    /** The connection ended. */
    public void gone(Peer peer) {
        if (peer.user() == null) {
            return;
        }
        lenders.computeIfPresent(peer.user(), (u, peers) -> {
            peers.remove(peer);
            return peers.isEmpty() ? null : peers;
        });
    }

    private void changed(String user) {
        Set<Peer> peers = lenders.get(user);
        if (peers != null) {
            for (Peer p : peers) {
                send(p);
            }
        }
    }

    private void send(Peer peer) {
        // the record as it is now (not the one that triggered the notice), so a notice that
        // overtakes another never leaves a lender with an older record for long
        peer.send(peer.nextServerId(), new Message.Credit(view(reputation,
                reputation.recordOf(peer.user()))));
    }

    /** What a lender is told of its account's record. */
    public static LenderCredit view(Reputation reputation, LenderRecord r) {
        return new LenderCredit(Standings.wire(reputation.standingOf(r.user())), r.agreed(), r.unchecked(), r.disagreed(), r.lost(),
                r.strikes(), r.cpuMillis(), r.creditMillis());
    }
}
