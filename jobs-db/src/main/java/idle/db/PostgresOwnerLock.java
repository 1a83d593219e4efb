package idle.db;

import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One user of a PostgreSQL database at a time, as embedded Derby has by nature: a session-level
 * advisory lock, held on a connection of its own for as long as the {@link Database} is open.
 * The server keeps state of the database in memory (the head of the audit chain, the next ids,
 * the open jobs), so a second server or a local admin command on the same database would corrupt
 * it; this makes the second one refuse to open instead. PostgreSQL releases the lock when the
 * holder's connection ends, also when its process dies. Not thread-safe; used by Database only.
 */
final class PostgresOwnerLock implements AutoCloseable {
    /**
     * The advisory lock's first key, "IDLE" in ASCII; the second is a hash of the schema, so
     * that servers in different schemas of one database do not exclude each other.
     */
    static final int KEY = 0x49444C45;

    private final Connection connection;

    private PostgresOwnerLock(Connection connection) {
        this.connection = connection;
    }

    /**
     * Takes the lock on {@code connection} (which it then owns and closes).
     *
     * @throws PersistenceException when another process holds it
     */
    static PostgresOwnerLock acquire(Connection connection, String url) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT pg_try_advisory_lock(?, hashtext(current_schema()))")) {
            ps.setInt(1, KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    connection.close();
                    throw new PersistenceException("the database " + url + " is in use by another"
                            + " IDLE server or admin command: stop it first");
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (!connection.isClosed()) {
                connection.close();
            }
            throw e;
        }
        return new PostgresOwnerLock(connection);
    }

    /**
     * Releases the lock, then ends its connection. The explicit unlock returns once the lock is
     * free; a close alone would free it a moment later, racing with an immediate re-open.
     */
    @Override
    public void close() {
        try (connection; PreparedStatement ps = connection.prepareStatement(
                "SELECT pg_advisory_unlock(?, hashtext(current_schema()))")) {
            ps.setInt(1, KEY);
            ps.execute();
        } catch (SQLException e) {
            // the connection is gone, and the lock with it
        }
    }
}
