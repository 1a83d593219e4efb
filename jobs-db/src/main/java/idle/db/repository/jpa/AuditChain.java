package idle.db.repository.jpa;

import idle.db.entity.AuditEvent;
import idle.db.repository.AuditRepository;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The head of the audit hash chain (last id, hash and time), kept in memory after it was read
 * once, and the lock that serialises commits carrying audit events. One per database; used by
 * {@code idle.db.Database}, not by callers.
 *
 * <p>Times never go down along the chain: an event whose time is before its predecessor's (its
 * time was taken on another thread that reached the lock later, or the clock stepped back) is
 * stored with its predecessor's time. So the first event at or after a time is found by a binary
 * search of the primary key ({@code audit --since}), and no index of the times is kept: one index
 * entry less per row for the group-commit writer. Rows written by earlier versions (those that
 * kept {@code AUDIT_AT_IX}) may step back by the few milliseconds two threads raced.
 */
public final class AuditChain {
    private static final String INSERT = "INSERT INTO AUDIT_EVENT (ID, AT_MILLIS, USER_NAME,"
            + " CODE, REQUEST_ID, JOB_ID, OUTCOME, DETAIL, REMOTE_ADDRESS, PREV_HASH, HASH)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final ReentrantLock lock = new ReentrantLock();
    private boolean loaded;
    private long lastId;
    private String lastHash;
    private long lastAt;

    /**
     * Assigns ids and hashes to {@code pending} after the current head, inserts them and runs
     * {@code commit}, all under the lock. The head advances only when the commit succeeded; after a
     * failed commit it is read again next time.
     */
    public void appendAndCommit(EntityManager em, List<AuditEvent> pending, Runnable commit) {
        lock.lock();
        try {
            if (!loaded) {
                load(em);
            }
            long id = lastId;
            String prev = lastHash;
            long at = lastAt;
            long[] given = new long[pending.size()];
            for (int i = 0; i < given.length; i++) {
                AuditEvent e = pending.get(i);
                given[i] = e.getAt();
                at = Math.max(at, e.getAt());
                e.setAt(at);
                e.setId(++id);
                e.setPrevHash(prev);
                prev = hash(e, prev);
                e.setHash(prev);
            }
            try {
                insert(em, pending);
                commit.run();
            } catch (RuntimeException | Error ex) {
                loaded = false; // it may have committed after all: read the head again
                for (int i = 0; i < given.length; i++) {
                    AuditEvent e = pending.get(i);
                    e.setAt(given[i]);
                    e.setId(0);
                    e.setPrevHash(null);
                    e.setHash(null);
                }
                throw ex;
            }
            lastId = id;
            lastHash = prev;
            lastAt = at;
        } finally {
            lock.unlock();
        }
    }

    /** One JDBC batch on the transaction's connection: no per-row work of JPA under the lock. */
    private static void insert(EntityManager em, List<AuditEvent> rows) {
        try (PreparedStatement ps = JdbcJobWrites.connection(em).prepareStatement(INSERT)) {
            for (AuditEvent e : rows) {
                ps.setLong(1, e.getId());
                ps.setLong(2, e.getAt());
                ps.setString(3, e.getUserName());
                ps.setString(4, e.getCode());
                ps.setLong(5, e.getRequestId());
                if (e.getJobId() == null) {
                    ps.setNull(6, Types.BIGINT);
                } else {
                    ps.setLong(6, e.getJobId());
                }
                ps.setString(7, e.getOutcome());
                ps.setString(8, e.getDetail());
                ps.setString(9, e.getRemoteAddress());
                ps.setString(10, e.getPrevHash());
                ps.setString(11, e.getHash());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new PersistenceException("could not write audit rows: " + e.getMessage(), e);
        }
    }

    /** The id of the newest committed event, when the head is known; -1 otherwise. */
    long knownLastId() {
        lock.lock();
        try {
            return loaded ? lastId : -1;
        } finally {
            lock.unlock();
        }
    }

    private void load(EntityManager em) {
        Long max = em.createQuery("SELECT MAX(e.id) FROM AuditEvent e", Long.class).getSingleResult();
        if (max == null) {
            lastId = 0;
            lastHash = AuditRepository.GENESIS_HASH;
            lastAt = Long.MIN_VALUE;
        } else {
            AuditEvent last = em.find(AuditEvent.class, max);
            lastId = max;
            lastHash = last.getHash();
            lastAt = last.getAt();
            em.detach(last);
        }
        loaded = true;
    }

    /**
     * SHA-256 hex over the canonical encoding of the event's content and {@code prevHash}: a
     * version tag, then every field as {@code length:text} (null as {@code ~}), in a fixed order.
     */
    public static String hash(AuditEvent e, String prevHash) {
        StringBuilder sb = new StringBuilder(256).append("idle-audit-1|");
        field(sb, Long.toString(e.getId()));
        field(sb, Long.toString(e.getAt()));
        field(sb, e.getUserName());
        field(sb, e.getCode());
        field(sb, Long.toString(e.getRequestId()));
        field(sb, e.getJobId() == null ? null : e.getJobId().toString());
        field(sb, e.getOutcome());
        field(sb, e.getDetail());
        field(sb, e.getRemoteAddress());
        field(sb, prevHash);
        return DigestUtils.sha256Hex(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void field(StringBuilder sb, String s) {
        if (s == null) {
            sb.append('~');
        } else {
            sb.append(s.length()).append(':').append(s);
        }
    }
}
