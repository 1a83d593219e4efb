package idle.db.repository;

import idle.db.entity.AuditEvent;
import java.util.List;

/**
 * The tamper-evident audit log, bound to one transaction. Rows form a hash chain: each row's hash
 * is the SHA-256 over a canonical encoding of its content plus the previous row's hash (64 zeros
 * before the first row). Changing, inserting or removing a row in the middle breaks the chain at
 * that row; removing rows at the end cannot be seen from the table alone.
 */
public interface AuditRepository {
    /** The previous hash of the first row. */
    String GENESIS_HASH = "0".repeat(64);

    /**
     * Appends an event. The event is written when the transaction commits: then it gets its id
     * (the next position in the chain, 1, 2, 3, ...), prevHash and hash, and those fields are set
     * on the returned object. Commits that carry events are serialised, so the chain stays linear
     * with any number of concurrent transactions. If the transaction rolls back, the event is not
     * written.
     *
     * @param userName acting user, or null
     * @param code protocol code or admin action word
     * @param requestId request id of the exchange (0 for none)
     * @param jobId job concerned, or null
     * @param outcome status code such as "SCF", "FLD", "ILR", "NLA"
     * @param detail free text, or null
     * @param remoteAddress client address, or null
     * @return the pending event (id 0 until commit)
     */
    AuditEvent append(long at, String userName, String code, long requestId, Long jobId,
            String outcome, String detail, String remoteAddress);

    /** Appends a prepared event (its id and hashes are overwritten); see the other overload. */
    AuditEvent append(AuditEvent event);

    /**
     * Committed events, oldest first (by id).
     *
     * @param sinceMillisOrNull only events at or after this time; null for all
     * @param userOrNull only this user's events; null for everybody's
     * @param limit at most this many: the oldest ones matching (at least 1 is used)
     * @return the events; empty when none match
     */
    List<AuditEvent> query(Long sinceMillisOrNull, String userOrNull, int limit);

    /**
     * The newest committed events, returned oldest first: like {@code tail -n}.
     *
     * @param userOrNull only this user's events; null for everybody's
     */
    List<AuditEvent> latest(String userOrNull, int limit);

    /** Walks the whole chain in id order, a page at a time, and reports the first broken row. */
    VerifyResult verify();
}
