package idle.cluster;

import java.util.List;

/**
 * A fenced lease and the jobs that were running under it, re-queued in the fencing transaction.
 *
 * @param fenced the incarnation fenced off
 * @param byNode the node that fenced it: a peer after the lease expired, or {@code fenced.node()}
 *     itself when its next incarnation joined first
 * @param requeued the jobs put back in the queue, each once
 * @param atMillis when the fencing transaction committed (epoch milliseconds)
 */
record Takeover(Lease fenced, int byNode, List<Long> requeued, long atMillis) {
    boolean byPeer() {
        return byNode != fenced.node();
    }
}
