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
    /** Ids in the first window a filtered query reads, and at most in one (each doubles). */
    static final int FIRST_WINDOW = 1024;
    static final int MAX_WINDOW = 65_536;

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
        int n = Math.max(1, limit);
        Long max = maxId();
        if (max == null) {
            return List.of();
        }
        long from = sinceMillisOrNull == null ? 1 : firstIdAtOrAfter(sinceMillisOrNull, max);
        if (from < 0) {
            return List.of();
        }
        // forwards in windows of the primary key from the first row that may match
        List<AuditEvent> out = new ArrayList<>();
        for (long lo = from, span = FIRST_WINDOW; lo <= max && out.size() < n;
                lo += span, span = Math.min(MAX_WINDOW, span * 2)) {
            out.addAll(window(lo - 1, Math.min(max, lo + span - 1), sinceMillisOrNull, userOrNull,
                    n - out.size()));
        }
        return out;
    }

    @Override
    public List<AuditEvent> latest(String userOrNull, int limit) {
        int n = Math.max(1, limit);
        Long max = maxId();
        if (max == null) {
            return List.of();
        }
        // backwards in windows of the primary key (ids are dense, so everybody's newest n rows
        // are the first window of n ids unless rows are missing)
        List<AuditEvent> out = KeyWindows.newestFirst(1, max + 1,
                userOrNull == null ? n : FIRST_WINDOW, MAX_WINDOW, n,
                (lo, hiExclusive) -> window(lo - 1, hiExclusive - 1, null, userOrNull, 0));
        Collections.reverse(out);
        return out;
    }

    /**
     * Rows with {@code lo < id <= hi} that match, in id order: a bound range of the primary key
     * (no index of the users or times is kept: each would cost the group-commit writer an index
     * entry per row, and the users' one a B-tree insert in the middle, the dearest kind);
     * {@code limit} 0 for all of them.
     */
    private List<AuditEvent> window(long lo, long hi, Long since, String user, int limit) {
        StringBuilder jpql = new StringBuilder("SELECT e FROM AuditEvent e WHERE e.id > :lo AND e.id <= :hi");
        if (since != null) {
            // (rows of earlier versions may be a few milliseconds early: see AuditChain)
            jpql.append(" AND e.at >= :since");
        }
        if (user != null) {
            jpql.append(" AND e.userName = :user");
        }
        TypedQuery<AuditEvent> q = em.createQuery(jpql.append(" ORDER BY e.id").toString(), AuditEvent.class)
                .setParameter("lo", lo)
                .setParameter("hi", hi);
        if (since != null) {
            q.setParameter("since", since);
        }
        if (user != null) {
            q.setParameter("user", user);
        }
        if (limit > 0) {
            q.setMaxResults(limit);
        }
        return q.getResultList();
    }

    private Long maxId() {
        return em.createQuery("SELECT MAX(e.id) FROM AuditEvent e", Long.class).getSingleResult();
    }

    /**
     * The id of the first row at or after {@code since}, -1 when there is none: a binary search
     * over the ids up to {@code max}, each probe one key of the primary key (about 20 for a
     * million rows). It relies on times not going down along the ids ({@link AuditChain});
     * should ids be missing, a probe reads the next row that exists.
     */
    private long firstIdAtOrAfter(long since, long max) {
        long lo = 0; // ids up to lo are before since (0: none is known to be)
        long hi = max + 1; // the first row at or after since is at or below hi (max + 1: none)
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            long[] row = rowAtOrAfter(mid);
            if (row == null || row[0] >= hi) {
                hi = mid; // nothing between mid and hi: narrow from above
            } else if (row[1] >= since) {
                hi = row[0];
            } else {
                lo = row[0];
            }
        }
        return hi > max ? -1 : hi;
    }

    /** Id and time of the first row with an id of at least {@code id}; null when none. */
    private long[] rowAtOrAfter(long id) {
        List<Object[]> rows = em.createQuery("SELECT e.id, e.at FROM AuditEvent e WHERE e.id >= :id"
                        + " ORDER BY e.id", Object[].class)
                .setParameter("id", id)
                .setMaxResults(1)
                .getResultList();
        return rows.isEmpty() ? null : new long[] {(Long) rows.get(0)[0], (Long) rows.get(0)[1]};
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
