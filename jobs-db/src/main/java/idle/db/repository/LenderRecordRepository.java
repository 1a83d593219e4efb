package idle.db.repository;

import java.util.List;
import java.util.Optional;

/**
 * Lender accounts' records (table {@code LENDER_RECORD}, one row per account that lent or was
 * suspended), bound to one transaction. Names compare exactly.
 */
public interface LenderRecordRepository {
    /**
     * Adds {@code delta} to its account's row, creating the row when there is none; the row
     * becomes what {@link LenderRecord#plus} says.
     */
    void add(LenderDelta delta);

    /** The account's record, or empty when it never lent and was never suspended. */
    Optional<LenderRecord> find(String user);

    /** Every record, ordered by account name. */
    List<LenderRecord> all();

    /** Suspends or resumes the account (creating its row when there is none). */
    void setSuspended(String user, boolean suspended, long at);
}
