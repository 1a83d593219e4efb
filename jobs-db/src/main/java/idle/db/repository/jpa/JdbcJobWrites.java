package idle.db.repository.jpa;

import idle.db.entity.Job;
import idle.db.entity.ListCodec;
import idle.db.entity.OutputFilesConverter;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.persistence.jpa.JpaEntityManager;

/**
 * The job rows one transaction inserts and updates through plain JDBC: one batched
 * {@code INSERT} for the new rows and one batched {@code UPDATE ... WHERE ID = ?} for the
 * progress of existing ones, sent on the EntityManager's own connection (so inside its
 * transaction) when {@link #flush()} is called: before any query of the transaction and at
 * commit. This skips what JPA does per row (change sets, clones, a statement built per
 * update), which dominated the group-commit writer's time.
 *
 * <p>Several progress writes of one job in a transaction are coalesced: only the last is sent,
 * and the progress of a job inserted in the same transaction is folded into its INSERT. Ids come
 * from EclipseLink's own sequencing of {@code Job}, so they never collide with ids that
 * {@code em.persist} hands out.
 */
public final class JdbcJobWrites {
    static final String INSERT = "INSERT INTO JOB (ID, OWNER_NAME, SCRIPT_NAME, SCRIPT_SHA256,"
            + " SCRIPT, ARGS, INPUT_NAMES, JOB_STATE, ATTEMPTS, LENDER_PSEUDONYM, SUBMITTED_AT,"
            + " STARTED_AT, FINISHED_AT, EXIT_CODE, LIMIT_HIT, FAILURE_REASON, OUTPUT_BYTES,"
            + " OUTPUT_SHA256, CPU_MILLIS, OUTPUT_FILES, MIN_PYTHON, MEMORY_MB, TIMEOUT_SECONDS,"
            + " STATE_OPEN, MODULE_NEEDS, SWEEP_ID, TASK_INDEX, VERIFY_OF, VOTE)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            + " ?, ?, ?)";
    static final String UPDATE = "UPDATE JOB SET JOB_STATE = ?, ATTEMPTS = ?,"
            + " LENDER_PSEUDONYM = ?, STARTED_AT = ?, FINISHED_AT = ?, EXIT_CODE = ?, LIMIT_HIT = ?,"
            + " FAILURE_REASON = ?, OUTPUT_BYTES = ?, OUTPUT_SHA256 = ?, CPU_MILLIS = ?,"
            + " OUTPUT_FILES = ?, STATE_OPEN = ?, VOTE = ? WHERE ID = ?";
    private static final OutputFilesConverter FILES = new OutputFilesConverter();

    private final EntityManager em;
    /** New rows by id, in the order they were added (their progress folded in). */
    private final Map<Long, Job> inserts = new LinkedHashMap<>();
    /** The last progress written for each existing row. */
    private final Map<Long, Job> updates = new LinkedHashMap<>();

    public JdbcJobWrites(EntityManager em) {
        this.em = em;
    }

    /**
     * Assigns the next id to {@code job} (unless it has one: an insert retried after its
     * transaction failed keeps the id it was given) and queues its row; a copy is kept.
     */
    public long insert(Job job) {
        long id = job.getId() != 0 ? job.getId() : em.unwrap(JpaEntityManager.class)
                .getServerSession().getNextSequenceNumberValue(Job.class).longValue();
        job.setId(id);
        inserts.put(id, copy(job));
        return id;
    }

    /** Queues the progress fields of {@code values} for its row (replacing earlier ones). */
    public void progress(Job values) {
        Job pending = inserts.get(values.getId());
        if (pending != null) {
            copyProgress(values, pending);
        } else {
            Job row = new Job();
            row.setId(values.getId());
            copyProgress(values, row);
            updates.put(values.getId(), row);
        }
    }

    /** True when nothing is queued. */
    public boolean isEmpty() {
        return inserts.isEmpty() && updates.isEmpty();
    }

    /** Sends what is queued (inserts first) on the transaction's connection. */
    public void flush() {
        if (isEmpty()) {
            return;
        }
        Connection c = connection(em);
        try {
            if (!inserts.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                    for (Job j : inserts.values()) {
                        bindInsert(ps, j);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                inserts.clear();
            }
            if (!updates.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
                    for (Job j : updates.values()) {
                        bindUpdate(ps, j);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                updates.clear();
            }
        } catch (SQLException e) {
            throw new PersistenceException("could not write job rows: " + e.getMessage(), e);
        }
    }

    /**
     * The JDBC connection of the EntityManager's transaction (EclipseLink begins the database
     * transaction on it first), so that what is sent on it commits or rolls back with the rest.
     */
    static Connection connection(EntityManager em) {
        Connection c = em.unwrap(Connection.class);
        if (c == null) {
            throw new IllegalStateException("no transaction is active");
        }
        return c;
    }

    private static void bindInsert(PreparedStatement ps, Job j) throws SQLException {
        ps.setLong(1, j.getId());
        ps.setString(2, j.getOwnerName());
        ps.setString(3, j.getScriptName());
        ps.setString(4, j.getScriptSha256());
        ps.setBytes(5, j.getScript());
        ps.setString(6, ListCodec.encode(j.getArgs()));
        ps.setString(7, ListCodec.encode(j.getInputNames()));
        ps.setString(8, j.getState().name());
        ps.setInt(9, j.getAttempts());
        ps.setString(10, j.getLenderPseudonym());
        ps.setLong(11, j.getSubmittedAt());
        ps.setLong(12, j.getStartedAt());
        ps.setLong(13, j.getFinishedAt());
        setInt(ps, 14, j.getExitCode());
        ps.setString(15, j.getLimitHit() == null ? null : j.getLimitHit().name());
        ps.setString(16, j.getFailureReason());
        ps.setLong(17, j.getOutputBytes());
        ps.setString(18, j.getOutputSha256());
        ps.setLong(19, j.getCpuMillis());
        ps.setString(20, FILES.convertToDatabaseColumn(j.getOutputFiles()));
        ps.setString(21, j.getMinPython());
        ps.setInt(22, j.getMemoryMb());
        ps.setInt(23, j.getTimeoutSeconds());
        ps.setShort(24, open(j));
        ps.setString(25, ListCodec.encode(j.getModuleNeeds()));
        ps.setLong(26, j.getSweepId());
        ps.setInt(27, j.getTaskIndex());
        ps.setLong(28, j.getVerifyOf());
        ps.setString(29, j.getVote() == null ? null : ListCodec.encode(j.getVote()));
    }

    private static void bindUpdate(PreparedStatement ps, Job v) throws SQLException {
        ps.setString(1, v.getState().name());
        ps.setInt(2, v.getAttempts());
        ps.setString(3, v.getLenderPseudonym());
        ps.setLong(4, v.getStartedAt());
        ps.setLong(5, v.getFinishedAt());
        setInt(ps, 6, v.getExitCode());
        ps.setString(7, v.getLimitHit() == null ? null : v.getLimitHit().name());
        ps.setString(8, v.getFailureReason());
        ps.setLong(9, v.getOutputBytes());
        ps.setString(10, v.getOutputSha256());
        ps.setLong(11, v.getCpuMillis());
        ps.setString(12, FILES.convertToDatabaseColumn(v.getOutputFiles()));
        // the same value as before for every change but the last (Derby then leaves the index)
        ps.setShort(13, open(v));
        ps.setString(14, v.getVote() == null ? null : ListCodec.encode(v.getVote()));
        ps.setLong(15, v.getId());
    }

    private static short open(Job j) {
        return (short) (j.getState().isTerminal() ? 0 : 1);
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    /** Every stored field of {@code j}, so that later changes by the caller do not leak in. */
    private static Job copy(Job j) {
        Job c = new Job(j.getOwnerName(), j.getScriptName(), j.getScriptSha256(), j.getScript(),
                j.getArgs(), j.getInputNames(), j.getNeeds(), j.getSubmittedAt());
        c.setId(j.getId());
        c.setSweepTask(j.getSweepId(), j.getTaskIndex());
        c.setVerifyOf(j.getVerifyOf());
        copyProgress(j, c);
        return c;
    }

    /** The fields {@code JobRepository.writeProgress} writes. */
    private static void copyProgress(Job from, Job to) {
        to.setState(from.getState());
        to.setAttempts(from.getAttempts());
        to.setLenderPseudonym(from.getLenderPseudonym());
        to.setStartedAt(from.getStartedAt());
        to.setFinishedAt(from.getFinishedAt());
        to.setExitCode(from.getExitCode());
        to.setLimitHit(from.getLimitHit());
        to.setFailureReason(from.getFailureReason());
        to.setOutputBytes(from.getOutputBytes());
        to.setOutputSha256(from.getOutputSha256());
        to.setCpuMillis(from.getCpuMillis());
        to.setOutputFiles(from.getOutputFiles());
        to.setVote(from.getVote());
    }
}
