package idle.db;

import idle.db.repository.AuditRepository;
import idle.db.repository.JobRepository;
import idle.db.repository.LenderRecordRepository;
import idle.db.repository.SweepRepository;
import idle.db.repository.UserRepository;

/**
 * One database transaction, handed to the work given to {@link Database#inTransaction}. The
 * repositories are bound to it: entities they return are managed until the transaction ends
 * (changing them changes the stored rows at commit) and detached afterwards. Use it only on the
 * thread that runs the work, and not after the work returned.
 */
public interface Transaction {
    UserRepository users();

    JobRepository jobs();

    AuditRepository audit();

    /** Sweeps (their tasks are jobs: {@link #jobs}). */
    SweepRepository sweeps();

    /** Lender accounts' records: results, credit, strikes, suspension. */
    LenderRecordRepository lenders();

    /** Writes pending changes now (for example to see a constraint violation early). */
    void flush();
}
