package idle.server.audit;

import idle.shared.protocol.Code;
import idle.db.Transaction;
import idle.server.store.StoreWriter;
import java.util.function.LongSupplier;

/**
 * Records every request as one audit row with its outcome (the reply's status code), through the
 * store writer so rows join the group commit and the hash chain stays linear. The chain itself
 * (SHA-256 over each row and the previous hash) is kept by jobs-db's {@code AuditRepository}.
 * Never pass secrets in {@code detail}.
 */
public final class AuditLog {
    private final StoreWriter writer;
    private final LongSupplier clock;

    public AuditLog(StoreWriter writer) {
        this(writer, System::currentTimeMillis);
    }

    public AuditLog(StoreWriter writer, LongSupplier clock) {
        this.writer = writer;
        this.clock = clock;
    }

    /** Queues one row; it is written with the next batch. */
    public void record(String user, AuditAction action, long requestId, Long jobId, Code outcome,
            String detail, String remote) {
        long at = clock.getAsLong();
        writer.submit(tx -> tx.audit().append(at, user, action.label(), requestId, jobId,
                outcome.name(), detail, remote));
    }

    /** Appends one row inside a transaction the caller is already writing. */
    public void recordIn(Transaction tx, String user, AuditAction action, long requestId,
            Long jobId, Code outcome, String detail, String remote) {
        tx.audit().append(clock.getAsLong(), user, action.label(), requestId, jobId,
                outcome.name(), detail, remote);
    }
}
