package idle.server.dispatch;

import idle.db.Transaction;
import java.util.List;

/**
 * A {@link LenderTrust} that keeps no record: every account stands NEW, no job is spot-checked,
 * nobody has credit, and shares are not written. The placeholder until the real reputation
 * ({@code idle.server.reputation.Reputation}) is wired in its place. Stateless, thread-safe.
 */
public final class UntrackedLenders implements LenderTrust {
    @Override
    public Standing standingOf(String lenderUser) {
        return Standing.NEW;
    }

    @Override
    public boolean drawSpotCheck() {
        return false;
    }

    @Override
    public long creditMillis(String user) {
        return 0;
    }

    @Override
    public void record(Transaction tx, List<Share> shares) {
    }

    @Override
    public void recorded(List<Share> shares) {
    }
}
