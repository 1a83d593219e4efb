package idle.client.lender;

import idle.shared.model.LenderCredit;

/**
 * Decides when the lender's log gets a line about its account's credit ({@code CRD}): the first
 * record, any change of standing, and otherwise at most once a {@link #QUIET_NANOS} (the server
 * sends one after every job, which would double the log's lines). Keeps the last record.
 * Thread-safe.
 */
final class CreditLog {
    /** Least time between two credit lines while the standing stays the same: 60 s. */
    static final long QUIET_NANOS = 60_000_000_000L;

    private LenderCredit last;
    private LenderCredit logged;
    private long loggedAt;

    /** The line to log for {@code credit} received at {@code nanos}, or null for none now. */
    synchronized String line(LenderCredit credit, long nanos) {
        last = credit;
        boolean due = logged == null || logged.standing() != credit.standing()
                || !logged.equals(credit) && nanos - loggedAt >= QUIET_NANOS;
        if (!due) {
            return null;
        }
        logged = credit;
        loggedAt = nanos;
        return credit.describe();
    }

    synchronized LenderCredit last() {
        return last;
    }
}
