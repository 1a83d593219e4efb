package idle.db.repository.jpa;

import idle.db.entity.Sweep;
import idle.db.repository.SweepRepository;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.util.List;
import java.util.Optional;

/** {@link SweepRepository} on a plain EntityManager. */
public final class JpaSweepRepository implements SweepRepository {
    /** Every column of SWEEP but the script. */
    private static final String LISTED_COLUMNS = "ID, OWNER_NAME, SCRIPT_NAME, SCRIPT_SHA256, "
            + "SHARED_INPUTS, MIN_PYTHON, MEMORY_MB, TIMEOUT_SECONDS, TASK_COUNT, TASKS, OPEN_FLAG, "
            + "SUBMITTED_AT, FINISHED_AT, SUCCEEDED, FAILED, CANCELLED, RETRY_OF, INPUTS_OF";

    private final EntityManager em;
    private final JdbcJobWrites writes;

    public JpaSweepRepository(EntityManager em, JdbcJobWrites writes) {
        this.em = em;
        this.writes = writes;
    }

    @Override
    public long add(Sweep sweep) {
        em.persist(sweep);
        if (sweep.getInputsOf() == 0) {
            sweep.setInputsOf(sweep.getId());
        }
        return sweep.getId();
    }

    @Override
    public Optional<Sweep> find(long id) {
        return Optional.ofNullable(em.find(Sweep.class, id));
    }

    @Override
    public Optional<byte[]> scriptOf(long id) {
        Query q = em.createNativeQuery("SELECT SCRIPT FROM SWEEP WHERE ID = ?");
        q.setParameter(1, id);
        List<?> rows = q.getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of((byte[]) rows.get(0));
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Sweep> page(String ownerOrNull, long beforeIdOrZero, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + LISTED_COLUMNS + " FROM SWEEP WHERE 1 = 1");
        if (ownerOrNull != null) {
            sql.append(" AND OWNER_NAME = ?");
        }
        if (beforeIdOrZero > 0) {
            sql.append(" AND ID < ?");
        }
        sql.append(" ORDER BY ID DESC FETCH FIRST ? ROWS ONLY");
        Query q = em.createNativeQuery(sql.toString(), Sweep.class);
        int i = 1;
        if (ownerOrNull != null) {
            q.setParameter(i++, ownerOrNull);
        }
        if (beforeIdOrZero > 0) {
            q.setParameter(i++, beforeIdOrZero);
        }
        q.setParameter(i, Math.max(1, limit));
        return q.getResultList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Sweep> unfinished() {
        return em.createNativeQuery("SELECT " + LISTED_COLUMNS
                + " FROM SWEEP WHERE FINISHED_AT = 0 ORDER BY ID", Sweep.class).getResultList();
    }

    @Override
    public void setTasks(long id, int tasks, boolean open) {
        writes.flush();
        Query q = em.createNativeQuery("UPDATE SWEEP SET TASKS = ?, OPEN_FLAG = ? WHERE ID = ?");
        q.setParameter(1, tasks);
        q.setParameter(2, (short) (open ? 1 : 0));
        q.setParameter(3, id);
        q.executeUpdate();
    }

    @Override
    public void finish(long id, long finishedAt, int succeeded, int failed, int cancelled) {
        writes.flush();
        Query q = em.createNativeQuery("UPDATE SWEEP SET FINISHED_AT = ?, SUCCEEDED = ?,"
                + " FAILED = ?, CANCELLED = ?, OPEN_FLAG = 0 WHERE ID = ?");
        q.setParameter(1, finishedAt);
        q.setParameter(2, succeeded);
        q.setParameter(3, failed);
        q.setParameter(4, cancelled);
        q.setParameter(5, id);
        q.executeUpdate();
    }
}
