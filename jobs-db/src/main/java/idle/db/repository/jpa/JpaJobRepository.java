package idle.db.repository.jpa;

import idle.db.entity.Job;
import idle.db.repository.JobRepository;
import idle.shared.model.JobState;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** {@link JobRepository} on a plain EntityManager. */
public final class JpaJobRepository implements JobRepository {
    /**
     * The ends of the id range, asked apart: each is one end of the primary key, while Derby
     * answers MIN and MAX in one SELECT by scanning the whole index (0.4-0.5 s with a million
     * jobs). Public for QueryPlanTest.
     */
    public static final String FIRST_ID = "SELECT MIN(ID) FROM JOB";
    /** See {@link #FIRST_ID}. */
    public static final String LAST_ID = "SELECT MAX(ID) FROM JOB";

    private final EntityManager em;
    /** Ids added through JPA in this transaction: an UPDATE of one must see its INSERT first. */
    private final Set<Long> added = new HashSet<>();
    private final JdbcJobWrites writes;

    /**
     * Every column of JOB but the script: lists (history pages, the open jobs at recovery) never
     * read scripts, which can be 1 MiB each; {@link #scriptOf} reads one when it is needed.
     */
    private static final String LISTED_COLUMNS = "ID, OWNER_NAME, SCRIPT_NAME, SCRIPT_SHA256, "
            + "ARGS, INPUT_NAMES, JOB_STATE, STATE_OPEN, ATTEMPTS, LENDER_PSEUDONYM, SUBMITTED_AT, "
            + "STARTED_AT, FINISHED_AT, EXIT_CODE, LIMIT_HIT, FAILURE_REASON, OUTPUT_BYTES, "
            + "OUTPUT_SHA256, CPU_MILLIS, OUTPUT_FILES, MIN_PYTHON, MEMORY_MB, TIMEOUT_SECONDS, "
            + "MODULE_NEEDS, SWEEP_ID, TASK_INDEX, VERIFY_OF, VOTE";

    /** The widest window of ids {@link #idWindowPage} reads in one query. */
    private static final long MAX_WINDOW = 8192;

    public JpaJobRepository(EntityManager em, JdbcJobWrites writes) {
        this.em = em;
        this.writes = writes;
    }

    @Override
    public Job add(Job job) {
        em.persist(job); // the sequence assigns the id here
        added.add(job.getId());
        return job;
    }

    @Override
    public long insert(Job job) {
        return writes.insert(job);
    }

    @Override
    public Optional<Job> find(long id) {
        writes.flush();
        return Optional.ofNullable(em.find(Job.class, id));
    }

    @Override
    public Job update(Job detached) {
        writes.flush();
        if (em.find(Job.class, detached.getId()) == null) {
            throw new IllegalArgumentException("no job " + detached.getId());
        }
        return em.merge(detached);
    }

    @Override
    public void writeProgress(Job v) {
        if (added.contains(v.getId())) {
            em.flush(); // its INSERT goes out before the batched UPDATE
        }
        writes.progress(v);
    }

    /**
     * Native SQL, so that every value is bound (EclipseLink writes JPQL parameters of paged queries
     * into the SQL text on Derby, which means a compilation per page). Everybody's jobs, or one
     * owner's with their sweeps' tasks and replicas (an admin's listing): windows of the primary
     * key ({@link #idWindowPage}). No index of the owner and id is kept for the latter: it cost
     * the group-commit writer an index entry per job, for an admin command; a page of an owner
     * with few jobs among many reads more windows (about a second per million rows).
     */
    @Override
    public List<Job> page(String ownerOrNull, JobState stateOrNull, String nameContainsOrNull,
            long beforeIdOrZero, int limit) {
        if (ownerOrNull == null) {
            return idWindowPage("1 = 1", List.of(), stateOrNull, nameContainsOrNull,
                    beforeIdOrZero, limit);
        }
        return idWindowPage("OWNER_NAME = ?", List.of(ownerOrNull), stateOrNull,
                nameContainsOrNull, beforeIdOrZero, limit);
    }

    /**
     * Like {@link #page}, for jobs of their own only: through JOB_SWEEP_IX (SWEEP_ID 0, then the
     * owner, newest first) when an owner is given, so a runner's sweeps of thousands of tasks are
     * never scanned; else through the primary key ({@link #idWindowPage}), skipping tasks.
     */
    @Override
    public List<Job> pageOwnJobs(String ownerOrNull, JobState stateOrNull,
            String nameContainsOrNull, long beforeIdOrZero, int limit) {
        if (ownerOrNull == null) {
            return idWindowPage("SWEEP_ID = 0 AND VERIFY_OF = 0", List.of(), stateOrNull,
                    nameContainsOrNull, beforeIdOrZero, limit);
        }
        return historyPage("JOB_SWEEP_IX", "SWEEP_ID = 0 AND VERIFY_OF = 0", List.of(), ownerOrNull,
                stateOrNull, nameContainsOrNull, beforeIdOrZero, limit);
    }

    /**
     * The query of an owner's pages ({@link #pageOwnJobs}, {@link #pageOfSweep}):
     * read {@code index}, newest first, where {@code firstCondition} (with its
     * {@code firstParams}) and the owner match.
     */
    private List<Job> historyPage(String index, String firstCondition, List<Object> firstParams,
            String ownerOrNull, JobState stateOrNull, String nameContainsOrNull,
            long beforeIdOrZero, int limit) {
        writes.flush();
        List<Object> params = new ArrayList<>(firstParams);
        StringBuilder sql = new StringBuilder("SELECT " + LISTED_COLUMNS
                + " FROM JOB --DERBY-PROPERTIES index=" + index + "\n WHERE " + firstCondition
                + " AND OWNER_NAME = ?");
        params.add(ownerOrNull);
        filters(sql, params, stateOrNull, nameContainsOrNull);
        if (beforeIdOrZero > 0) {
            sql.append(" AND ID < ?");
            params.add(beforeIdOrZero);
        }
        sql.append(" ORDER BY ID DESC FETCH FIRST ? ROWS ONLY");
        params.add(Math.max(1, limit));
        return nativeJobs(sql.toString(), params);
    }

    /**
     * Everybody's jobs, newest first, through the primary key: no descending index on the id is
     * kept for this (one index entry less for the group-commit writer per job), and Derby reads
     * indexes forwards only. So windows of ids below the cursor are read ({@link KeyWindows}),
     * the newest window first, each twice as wide as the one before, until {@code limit} rows
     * matched or the oldest id was passed: every row is read once, as a descending scan would.
     * Ids are nearly dense (the sequence's unused allocations after a restart leave gaps of at
     * most 100), so without filters the first window is all it takes. Windows grow to
     * {@link #MAX_WINDOW} ids at most, so that a filter that matches only old jobs never loads
     * more than that many rows at once.
     */
    private List<Job> idWindowPage(String firstCondition, List<Object> firstParams,
            JobState stateOrNull, String nameContainsOrNull, long beforeIdOrZero, int limit) {
        writes.flush();
        int want = Math.max(1, limit);
        Number first = (Number) em.createNativeQuery(FIRST_ID).getSingleResult();
        Number last = (Number) em.createNativeQuery(LAST_ID).getSingleResult();
        if (first == null || last == null) {
            return List.of();
        }
        long min = first.longValue();
        long hi = beforeIdOrZero > 0 ? Math.min(beforeIdOrZero, last.longValue() + 1)
                : last.longValue() + 1; // exclusive
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT " + LISTED_COLUMNS
                + " FROM JOB WHERE ID >= ? AND ID < ? AND " + firstCondition);
        params.add(0L);
        params.add(0L);
        params.addAll(firstParams);
        filters(sql, params, stateOrNull, nameContainsOrNull);
        sql.append(" ORDER BY ID");
        String query = sql.toString();
        return KeyWindows.newestFirst(min, hi, Math.max(want, 16), MAX_WINDOW, want, (lo, hiExcl) -> {
            params.set(0, lo);
            params.set(1, hiExcl);
            return nativeJobs(query, params);
        });
    }

    /** The optional filters of a history page, as bound parameters. */
    private static void filters(StringBuilder sql, List<Object> params, JobState stateOrNull,
            String nameContainsOrNull) {
        if (stateOrNull != null) {
            sql.append(" AND JOB_STATE = ?");
            params.add(stateOrNull.name());
        }
        if (nameContainsOrNull != null && !nameContainsOrNull.isEmpty()) {
            sql.append(" AND LOWER(SCRIPT_NAME) LIKE ? ESCAPE '\\'");
            params.add("%" + escapeLike(nameContainsOrNull.toLowerCase(Locale.ROOT)) + "%");
        }
    }

    @Override
    public List<Job> replicasOf(long jobId) {
        writes.flush();
        // two key ranges of JOB_OPEN_VERIFY_IX: the ended replicas, then the open ones
        List<Job> replicas = new ArrayList<>();
        for (int open = 0; open <= 1; open++) {
            replicas.addAll(nativeJobs("SELECT " + LISTED_COLUMNS
                    + " FROM JOB --DERBY-PROPERTIES index=JOB_OPEN_VERIFY_IX\n WHERE STATE_OPEN = ?"
                    + " AND VERIFY_OF = ? ORDER BY ID", List.of((short) open, jobId)));
        }
        replicas.sort(java.util.Comparator.comparingLong(Job::getId));
        return replicas;
    }

    @Override
    public List<Job> pageOfSweep(String owner, long sweepId, long beforeIdOrZero, int limit) {
        return historyPage("JOB_SWEEP_IX", "SWEEP_ID = ?", List.of(sweepId), owner, null, null,
                beforeIdOrZero, limit);
    }

    @Override
    public Map<JobState, Long> countByStateOfSweep(long sweepId) {
        writes.flush();
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        Query q = em.createNativeQuery("SELECT JOB_STATE, COUNT(*) FROM JOB"
                + " --DERBY-PROPERTIES index=JOB_SWEEP_IX\n WHERE SWEEP_ID = ? GROUP BY JOB_STATE");
        q.setParameter(1, sweepId);
        for (Object row : q.getResultList()) {
            Object[] r = (Object[]) row;
            counts.put(JobState.valueOf((String) r[0]), ((Number) r[1]).longValue());
        }
        return counts;
    }

    @SuppressWarnings("unchecked")
    private List<Job> nativeJobs(String sql, List<Object> params) {
        Query q = em.createNativeQuery(sql, Job.class);
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        return q.getResultList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Job> inStates(Collection<JobState> states) {
        if (states.isEmpty()) {
            return List.of();
        }
        writes.flush();
        // Open jobs (the recovery's question) are read through the STATE_OPEN = 1 part of
        // JOB_OPEN_VERIFY_IX (sorted by id afterwards: it is in VERIFY_OF order, and open jobs are
        // few), with a hint: Derby's statistics see only two values of the flag and would scan
        // the whole table otherwise.
        // Ended states have no index of their own (only tests ask for them). The hint is a
        // comment to other databases.
        List<JobState> list = List.copyOf(new TreeSet<>(states));
        boolean open = list.stream().noneMatch(JobState::isTerminal);
        StringBuilder sql = new StringBuilder(open
                ? "SELECT " + LISTED_COLUMNS
                        + " FROM JOB --DERBY-PROPERTIES index=JOB_OPEN_VERIFY_IX\n"
                        + " WHERE STATE_OPEN = 1 AND"
                : "SELECT " + LISTED_COLUMNS + " FROM JOB WHERE");
        sql.append(" JOB_STATE IN (");
        for (int i = 1; i <= list.size(); i++) {
            sql.append(i > 1 ? ", ?" : "?");
        }
        sql.append(") ORDER BY ID");
        Query q = em.createNativeQuery(sql.toString(), Job.class);
        for (int i = 0; i < list.size(); i++) {
            q.setParameter(i + 1, list.get(i).name());
        }
        return q.getResultList();
    }

    @Override
    public Optional<byte[]> scriptOf(long id) {
        writes.flush();
        Query q = em.createNativeQuery("SELECT SCRIPT FROM JOB WHERE ID = ?");
        q.setParameter(1, id);
        List<?> rows = q.getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of((byte[]) rows.get(0));
    }

    @Override
    public long count() {
        writes.flush();
        return em.createQuery("SELECT COUNT(j) FROM Job j", Long.class).getSingleResult();
    }

    @Override
    public Map<JobState, Long> countByState() {
        writes.flush();
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
