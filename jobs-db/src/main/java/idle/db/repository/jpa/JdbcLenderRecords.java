package idle.db.repository.jpa;

import idle.db.repository.LenderDelta;
import idle.db.repository.LenderRecord;
import idle.db.repository.LenderRecordRepository;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link LenderRecordRepository} in plain SQL on the EntityManager's connection (so inside its
 * transaction), portable to Derby and PostgreSQL: an upsert is an {@code UPDATE} and, when it
 * changed no row, an {@code INSERT}. Two transactions that both insert the same new account
 * would collide on the primary key: the server writes these rows only from its store writer
 * thread, one transaction at a time.
 *
 * <p>The deltas of one transaction are combined per account ({@link LenderDelta#then}) and sent
 * by {@link #flush} (before any read of the table, and at commit): a group commit of hundreds
 * of ended jobs costs one batched {@code UPDATE} per lender account, not one per job.
 */
public final class JdbcLenderRecords implements LenderRecordRepository {
    /** Creates the table; {@code idle.db.Database} runs it when the table is missing. */
    public static final String CREATE = "CREATE TABLE LENDER_RECORD ("
            + "USER_NAME VARCHAR(200) NOT NULL PRIMARY KEY,"
            + " AGREED BIGINT DEFAULT 0 NOT NULL, DISAGREED BIGINT DEFAULT 0 NOT NULL,"
            + " LOST BIGINT DEFAULT 0 NOT NULL, UNCHECKED BIGINT DEFAULT 0 NOT NULL,"
            + " CPU_MILLIS BIGINT DEFAULT 0 NOT NULL, CREDIT_MILLIS BIGINT DEFAULT 0 NOT NULL,"
            + " STRIKES BIGINT DEFAULT 0 NOT NULL, CLEAN_STREAK BIGINT DEFAULT 0 NOT NULL,"
            + " SUSPENDED SMALLINT DEFAULT 0 NOT NULL, CHANGED_AT BIGINT DEFAULT 0 NOT NULL)";
    /** Whether the table exists: fails with "no such table" when it does not. */
    public static final String PROBE = "SELECT COUNT(*) FROM LENDER_RECORD WHERE 1 = 0";

    private static final String COLUMNS = "USER_NAME, AGREED, DISAGREED, LOST, UNCHECKED,"
            + " CPU_MILLIS, CREDIT_MILLIS, STRIKES, CLEAN_STREAK, SUSPENDED, CHANGED_AT";
    private static final String COUNTS = "UPDATE LENDER_RECORD SET AGREED = AGREED + ?,"
            + " DISAGREED = DISAGREED + ?, LOST = LOST + ?, UNCHECKED = UNCHECKED + ?,"
            + " CPU_MILLIS = CPU_MILLIS + ?, CREDIT_MILLIS = CREDIT_MILLIS + ?, ";
    /** No strike: the clean streak grows. */
    static final String ADD = COUNTS + "CLEAN_STREAK = CLEAN_STREAK + ?, CHANGED_AT = ?"
            + " WHERE USER_NAME = ?";
    /**
     * Strikes: the strikes forgiven by the streak so far become permanent, the new ones are
     * added and the streak restarts ({@link LenderRecord#plus}; every right side reads the old
     * row). {@code FORGIVE_EVERY} is a constant, not a parameter, so the division stays integer.
     */
    static final String STRIKE = COUNTS + "STRIKES = CASE WHEN STRIKES > CLEAN_STREAK / "
            + LenderRecord.FORGIVE_EVERY + " THEN STRIKES - CLEAN_STREAK / "
            + LenderRecord.FORGIVE_EVERY + " ELSE 0 END + ?, CLEAN_STREAK = ?, CHANGED_AT = ?"
            + " WHERE USER_NAME = ?";
    static final String INSERT = "INSERT INTO LENDER_RECORD (" + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static final String SUSPEND = "UPDATE LENDER_RECORD SET SUSPENDED = ?, CHANGED_AT = ?"
            + " WHERE USER_NAME = ?";
    static final String SELECT = "SELECT " + COLUMNS + " FROM LENDER_RECORD";

    private final EntityManager em;
    /** Deltas not sent yet, one per account, in the order accounts first came. */
    private final Map<String, LenderDelta> pending = new LinkedHashMap<>();

    public JdbcLenderRecords(EntityManager em) {
        this.em = em;
    }

    @Override
    public void add(LenderDelta d) {
        LenderDelta p = pending.get(d.user());
        if (p == null) {
            pending.put(d.user(), d);
        } else if (p.combinesWith(d)) {
            pending.put(d.user(), p.then(d));
        } else {
            // rare (a strike after agreed results): what came first goes first, alone
            pending.remove(d.user());
            try {
                update(JdbcJobWrites.connection(em), p.disagreed() > 0 ? STRIKE : ADD,
                        List.of(p));
            } catch (SQLException e) {
                throw new PersistenceException("could not write the record of lender "
                        + p.user() + ": " + e.getMessage(), e);
            }
            pending.put(d.user(), d);
        }
    }

    /** Sends the pending deltas on the transaction's connection. */
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<LenderDelta> strikes = new ArrayList<>();
        List<LenderDelta> plain = new ArrayList<>();
        for (LenderDelta d : pending.values()) {
            (d.disagreed() > 0 ? strikes : plain).add(d);
        }
        Connection c = JdbcJobWrites.connection(em);
        try {
            update(c, STRIKE, strikes);
            update(c, ADD, plain);
        } catch (SQLException e) {
            throw new PersistenceException("could not write lender records: " + e.getMessage(),
                    e);
        }
        pending.clear();
    }

    /** One batched UPDATE of {@code deltas}; the accounts without a row get theirs inserted. */
    private static void update(Connection c, String sql, List<LenderDelta> deltas)
            throws SQLException {
        if (deltas.isEmpty()) {
            return;
        }
        int[] changed;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (LenderDelta d : deltas) {
                int i = 1;
                ps.setLong(i++, d.agreed());
                ps.setLong(i++, d.disagreed());
                ps.setLong(i++, d.lost());
                ps.setLong(i++, d.unchecked());
                ps.setLong(i++, d.cpuMillis());
                ps.setLong(i++, d.creditMillis());
                if (d.disagreed() > 0) {
                    ps.setLong(i++, d.disagreed());
                    ps.setLong(i++, d.agreedSinceStrike());
                } else {
                    ps.setLong(i++, d.agreed());
                }
                ps.setLong(i++, d.at());
                ps.setString(i, d.user());
                ps.addBatch();
            }
            changed = ps.executeBatch();
        }
        for (int k = 0; k < deltas.size(); k++) {
            // a driver may not count (SUCCESS_NO_INFO): then look whether the row exists
            boolean none = k < changed.length && changed[k] >= 0 ? changed[k] == 0
                    : !exists(c, deltas.get(k).user());
            if (none) {
                insert(c, LenderRecord.empty(deltas.get(k).user()).plus(deltas.get(k)));
            }
        }
    }

    @Override
    public Optional<LenderRecord> find(String user) {
        List<LenderRecord> found = select(" WHERE USER_NAME = ?", user);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<LenderRecord> all() {
        return select(" ORDER BY USER_NAME", null);
    }

    @Override
    public void setSuspended(String user, boolean suspended, long at) {
        flush();
        Connection c = JdbcJobWrites.connection(em);
        try {
            int changed;
            try (PreparedStatement ps = c.prepareStatement(SUSPEND)) {
                ps.setShort(1, (short) (suspended ? 1 : 0));
                ps.setLong(2, at);
                ps.setString(3, user);
                changed = ps.executeUpdate();
            }
            if (changed == 0) {
                insert(c, LenderRecord.empty(user).withSuspended(suspended, at));
            }
        } catch (SQLException e) {
            throw new PersistenceException("could not suspend or resume lender " + user + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean exists(Connection c, String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM LENDER_RECORD"
                + " WHERE USER_NAME = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void insert(Connection c, LenderRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, r.user());
            ps.setLong(2, r.agreed());
            ps.setLong(3, r.disagreed());
            ps.setLong(4, r.lost());
            ps.setLong(5, r.unchecked());
            ps.setLong(6, r.cpuMillis());
            ps.setLong(7, r.creditMillis());
            ps.setLong(8, r.strikesAtLastStrike());
            ps.setLong(9, r.cleanStreak());
            ps.setShort(10, (short) (r.suspended() ? 1 : 0));
            ps.setLong(11, r.changedAt());
            ps.executeUpdate();
        }
    }

    private List<LenderRecord> select(String rest, String user) {
        flush();
        Connection c = JdbcJobWrites.connection(em);
        try (PreparedStatement ps = c.prepareStatement(SELECT + rest)) {
            if (user != null) {
                ps.setString(1, user);
            }
            List<LenderRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new LenderRecord(rs.getString(1), rs.getLong(2), rs.getLong(3),
                            rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7),
                            rs.getLong(8), rs.getLong(9), rs.getShort(10) != 0,
                            rs.getLong(11)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new PersistenceException("could not read lender records: " + e.getMessage(), e);
        }
    }

    /** Creates the table when it is missing; {@code c} is in auto-commit mode. */
    public static void createIfMissing(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try {
                st.executeQuery(PROBE).close();
                return;
            } catch (SQLException missing) {
                // 42X05 (Derby) or 42P01 (PostgreSQL): no such table; anything else is real
                if (!"42X05".equals(missing.getSQLState())
                        && !"42P01".equals(missing.getSQLState())) {
                    throw missing;
                }
            }
            st.executeUpdate(CREATE);
        }
    }
}
