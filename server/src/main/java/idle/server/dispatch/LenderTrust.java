package idle.server.dispatch;

import idle.db.Transaction;
import java.util.List;

/**
 * What the dispatcher knows of a lender account's record (its reputation and credit), and where
 * the consequences of a vote or an unreplicated result are written. The real implementation is
 * {@code idle.server.reputation.Reputation}.
 *
 * <p>Threads: every method but {@link #record} reads memory only and may be called under the
 * dispatch lock; {@link #record} runs inside a store transaction on the store writer's thread
 * (it may run twice for one change, batch then alone, so it only touches the database);
 * {@link #recorded} runs once, after that transaction committed.
 */
public interface LenderTrust {
    /** Where an account stands, which decides what work its lenders get. */
    enum Standing {
        /** No long clean record yet: gets any work; its unreplicated results are spot-checked. */
        NEW,
        /** A long clean record: may run jobs unreplicated (spot-checked at the admin's rate). */
        TRUSTED,
        /** Too many strikes: gets only replicas of verified jobs, never a job alone. */
        REPLICAS_ONLY,
        /** Suspended by an admin: gets no work at all. */
        SUSPENDED
    }

    /** How one lender's result fared. */
    enum Verdict {
        /** In the majority of a vote (or agreed with a spot check): credit and a clean mark. */
        AGREED,
        /** Outvoted, or failed a spot check: a strike, no credit. */
        DISAGREED,
        /** Ran alone and was not checked: accepted, credit, no mark either way. */
        UNCHECKED,
        /** The lender's attempt was lost (it died or vanished mid-job): no credit. */
        LOST
    }

    /**
     * One lender account's share in one ended job.
     *
     * @param lenderUser the lender's account name
     * @param verdict how its result fared
     * @param cpuMillis the CPU time its attempt used, as reported, ms
     */
    record Share(String lenderUser, Verdict verdict, long cpuMillis) {
    }

    /** The account's standing now. */
    Standing standingOf(String lenderUser);

    /** Draws whether the next unreplicated job is spot-checked (at the admin's rate). */
    boolean drawSpotCheck();

    /** The account's credit, CPU milliseconds of accepted results (for lend-to-earn priority). */
    long creditMillis(String user);

    /** Writes {@code shares} in {@code tx}, the transaction that ends the job: counted once. */
    void record(Transaction tx, List<Share> shares);

    /** After {@link #record}'s transaction committed: standings and credit in memory follow. */
    void recorded(List<Share> shares);
}
