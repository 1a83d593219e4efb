package idle.db.repository.jpa;

import idle.db.entity.Job;
import idle.db.repository.JobRepository;
import idle.shared.model.JobState;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@link JobRepository} on a plain EntityManager. */
public final class JpaJobRepository implements JobRepository {
    private final EntityManager em;

    public JpaJobRepository(EntityManager em) {
        this.em = em;
    }

    @Override
    public Job add(Job job) {
        em.persist(job); // the sequence assigns the id here
        return job;
    }

    @Override
    public Optional<Job> find(long id) {
        return Optional.ofNullable(em.find(Job.class, id));
    }

    @Override
    public Job update(Job detached) {
        if (em.find(Job.class, detached.getId()) == null) {
            throw new IllegalArgumentException("no job " + detached.getId());
        }
        return em.merge(detached);
    }

    @Override
    public List<Job> page(String ownerOrNull, JobState stateOrNull, String nameContainsOrNull,
            long beforeIdOrZero, int limit) {
        StringBuilder jpql = new StringBuilder("SELECT j FROM Job j WHERE 1 = 1");
        if (ownerOrNull != null) {
            jpql.append(" AND j.ownerName = :owner");
        }
        if (stateOrNull != null) {
            jpql.append(" AND j.state = :state");
        }
        boolean byName = nameContainsOrNull != null && !nameContainsOrNull.isEmpty();
        if (byName) {
            jpql.append(" AND LOWER(j.scriptName) LIKE :name ESCAPE '\\'");
        }
        if (beforeIdOrZero > 0) {
            jpql.append(" AND j.id < :before");
        }
        jpql.append(" ORDER BY j.id DESC");
        TypedQuery<Job> q = em.createQuery(jpql.toString(), Job.class);
        if (ownerOrNull != null) {
            q.setParameter("owner", ownerOrNull);
        }
        if (stateOrNull != null) {
            q.setParameter("state", stateOrNull);
        }
        if (byName) {
            q.setParameter("name", "%" + escapeLike(nameContainsOrNull.toLowerCase(Locale.ROOT)) + "%");
        }
        if (beforeIdOrZero > 0) {
            q.setParameter("before", beforeIdOrZero);
        }
        return q.setMaxResults(Math.max(1, limit)).getResultList();
    }

    @Override
    public List<Job> inStates(Collection<JobState> states) {
        if (states.isEmpty()) {
            return List.of();
        }
        return em.createQuery("SELECT j FROM Job j WHERE j.state IN :states ORDER BY j.id", Job.class)
                .setParameter("states", List.copyOf(states))
                .getResultList();
    }

    @Override
    public long count() {
        return em.createQuery("SELECT COUNT(j) FROM Job j", Long.class).getSingleResult();
    }

    @Override
    public Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        List<Object[]> rows = em.createQuery(
                "SELECT j.state, COUNT(j) FROM Job j GROUP BY j.state", Object[].class).getResultList();
        for (Object[] row : rows) {
            counts.put((JobState) row[0], ((Number) row[1]).longValue());
        }
        return counts;
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
