package idle.db.repository.jpa;

import idle.db.entity.AuditEvent;
import idle.db.repository.AuditRepository;
import idle.db.repository.VerifyResult;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.persistence.config.QueryHints;

/**
 * {@link AuditRepository} on a plain EntityManager. Appended events are handed to the transaction,
 * which chains and writes them at commit through {@link AuditChain}.
 */
public final class JpaAuditRepository implements AuditRepository {
    /** Rows read per query while verifying. */
    public static final int VERIFY_PAGE = 1000;

    private final EntityManager em;
    private final AuditChain chain;
    private final Consumer<AuditEvent> pending;

    public JpaAuditRepository(EntityManager em, AuditChain chain, Consumer<AuditEvent> pending) {
        this.em = em;
        this.chain = chain;
        this.pending = pending;
    }

    @Override
    public AuditEvent append(long at, String userName, String code, long requestId, Long jobId,
            String outcome, String detail, String remoteAddress) {
        return append(new AuditEvent(at, userName, code, requestId, jobId, outcome, detail, remoteAddress));
    }

    @Override
    public AuditEvent append(AuditEvent e) {
        // Fit the columns, so that an over-long detail cannot fail the whole transaction.
        e.setUserName(cut(e.getUserName(), 200));
        e.setCode(cut(e.getCode() == null ? "" : e.getCode(), 40));
        e.setOutcome(cut(e.getOutcome() == null ? "" : e.getOutcome(), 40));
        e.setDetail(cut(e.getDetail(), 4000));
        e.setRemoteAddress(cut(e.getRemoteAddress(), 200));
        e.setId(0);
        e.setPrevHash(null);
        e.setHash(null);
        pending.accept(e);
        return e;
    }

    @Override
    public List<AuditEvent> query(Long sinceMillisOrNull, String userOrNull, int limit) {
        return select(sinceMillisOrNull, userOrNull, "ASC", limit);
    }

    @Override
    public List<AuditEvent> latest(String userOrNull, int limit) {
        if (userOrNull == null) {
            return tail(Math.max(1, limit));
        }
        List<AuditEvent> newestFirst = new ArrayList<>(select(null, userOrNull, "DESC", limit));
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /**
     * The last {@code limit} rows by primary-key range: ids are dense (1, 2, 3, ...), so the
     * newest {@code limit} are those above {@code MAX(ID) - limit}; no descending index is kept
     * for this (one index less to maintain per audit row). Should rows be missing, the range
     * widens until it holds {@code limit} rows or reaches the first.
     */
    private List<AuditEvent> tail(int limit) {
        Long max = em.createQuery("SELECT MAX(e.id) FROM AuditEvent e", Long.class).getSingleResult();
        if (max == null) {
            return List.of();
        }
        long span = limit;
        while (true) {
            long lo = Math.max(0, max - span);
            List<AuditEvent> rows = em.createQuery("SELECT e FROM AuditEvent e"
                            + " WHERE e.id > :lo AND e.id <= :hi ORDER BY e.id", AuditEvent.class)
                    .setParameter("lo", lo)
                    .setParameter("hi", max)
                    .getResultList();
            if (rows.size() >= limit || lo == 0) {
                return rows.subList(Math.max(0, rows.size() - limit), rows.size());
            }
            span *= 2;
        }
    }

    private List<AuditEvent> select(Long since, String user, String order, int limit) {
        StringBuilder jpql = new StringBuilder("SELECT e FROM AuditEvent e WHERE 1 = 1");
        if (since != null) {
            jpql.append(" AND e.at >= :since");
        }
        if (user != null) {
            jpql.append(" AND e.userName = :user");
        }
        jpql.append(" ORDER BY e.id ").append(order);
        TypedQuery<AuditEvent> q = em.createQuery(jpql.toString(), AuditEvent.class);
        if (since != null) {
            q.setParameter("since", since);
        }
        if (user != null) {
            q.setParameter("user", user);
        }
        return q.setMaxResults(Math.max(1, limit)).getResultList();
    }

    /**
     * Reads the rows in id ranges of {@link #VERIFY_PAGE} (ids are dense by construction), so each
     * query is a short bound range scan of the primary key whatever the size of the log.
     */
    @Override
    public VerifyResult verify() {
        long committedHead = chain.knownLastId();
        Long max = em.createQuery("SELECT MAX(e.id) FROM AuditEvent e", Long.class).getSingleResult();
        long maxId = max == null ? 0 : max;
        long checked = 0;
        long prevId = 0;
        String prevHash = GENESIS_HASH;
        for (long lo = 0; lo < maxId; lo += VERIFY_PAGE) {
            List<AuditEvent> page = em.createQuery("SELECT e FROM AuditEvent e"
                            + " WHERE e.id > :lo AND e.id <= :hi ORDER BY e.id", AuditEvent.class)
                    .setParameter("lo", lo)
                    .setParameter("hi", lo + VERIFY_PAGE)
                    .setHint(QueryHints.READ_ONLY, Boolean.TRUE)
                    .getResultList();
            for (AuditEvent e : page) {
                checked++;
                if (e.getId() != prevId + 1) {
                    return VerifyResult.broken(checked, e.getId(),
                            "ids jump from " + prevId + " to " + e.getId() + ": rows are missing");
                }
                if (!prevHash.equals(e.getPrevHash())) {
                    return VerifyResult.broken(checked, e.getId(),
                            "its previous hash does not match the hash of row " + prevId);
                }
                if (!AuditChain.hash(e, e.getPrevHash()).equals(e.getHash())) {
                    return VerifyResult.broken(checked, e.getId(), "its content does not match its hash");
                }
                prevId = e.getId();
                prevHash = e.getHash();
            }
        }
        if (committedHead > prevId) {
            return VerifyResult.broken(checked, prevId + 1,
                    "rows " + (prevId + 1) + " to " + committedHead + " were written but are missing");
        }
        return VerifyResult.ok(checked);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
