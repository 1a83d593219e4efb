package idle.db;

import idle.db.entity.AuditEvent;
import idle.db.repository.AuditRepository;
import idle.db.repository.JobRepository;
import idle.db.repository.LenderRecordRepository;
import idle.db.repository.SweepRepository;
import idle.db.repository.UserRepository;
import idle.db.repository.jpa.AuditChain;
import idle.db.repository.jpa.JdbcJobWrites;
import idle.db.repository.jpa.JdbcLenderRecords;
import idle.db.repository.jpa.JpaAuditRepository;
import idle.db.repository.jpa.JpaJobRepository;
import idle.db.repository.jpa.JpaSweepRepository;
import idle.db.repository.jpa.JpaUserRepository;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;

/** A {@link Transaction} on one EntityManager; committed by {@link Database}. */
final class JpaTransaction implements Transaction {
    private final EntityManager em;
    private final AuditChain chain;
    private final List<AuditEvent> pendingAudit = new ArrayList<>();
    private final JdbcJobWrites jobWrites;
    private UserRepository users;
    private JobRepository jobs;
    private AuditRepository audit;
    private SweepRepository sweeps;
    private JdbcLenderRecords lenders;
    private boolean ended;

    JpaTransaction(EntityManager em, AuditChain chain) {
        this.em = em;
        this.chain = chain;
        this.jobWrites = new JdbcJobWrites(em);
    }

    @Override
    public UserRepository users() {
        checkOpen();
        if (users == null) {
            users = new JpaUserRepository(em);
        }
        return users;
    }

    @Override
    public JobRepository jobs() {
        checkOpen();
        if (jobs == null) {
            jobs = new JpaJobRepository(em, jobWrites);
        }
        return jobs;
    }

    @Override
    public AuditRepository audit() {
        checkOpen();
        if (audit == null) {
            audit = new JpaAuditRepository(em, chain, pendingAudit::add);
        }
        return audit;
    }

    @Override
    public SweepRepository sweeps() {
        checkOpen();
        if (sweeps == null) {
            sweeps = new JpaSweepRepository(em, jobWrites);
        }
        return sweeps;
    }

    @Override
    public LenderRecordRepository lenders() {
        checkOpen();
        if (lenders == null) {
            lenders = new JdbcLenderRecords(em);
        }
        return lenders;
    }

    @Override
    public void flush() {
        checkOpen();
        jobWrites.flush();
        if (lenders != null) {
            lenders.flush();
        }
        em.flush();
    }

    /**
     * Commits: the batched job rows first, then JPA's changes; pending audit events are chained
     * and written under the chain's lock.
     */
    void commit() {
        jobWrites.flush();
        if (lenders != null) {
            lenders.flush();
        }
        if (pendingAudit.isEmpty()) {
            em.getTransaction().commit();
        } else {
            em.flush(); // the rest of the work first, outside the lock
            chain.appendAndCommit(em, pendingAudit, () -> em.getTransaction().commit());
        }
    }

    /** For tests that look at query plans. */
    EntityManager entityManager() {
        return em;
    }

    void end() {
        ended = true;
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("the transaction has ended");
        }
    }
}
