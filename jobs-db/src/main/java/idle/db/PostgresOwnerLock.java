package idle.db;

import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One user of a PostgreSQL database at a time, as embedded Derby has by nature: a session-level
 * advisory lock, held on a connection of its own for as long as the {@link Database} is open.
 * The server keeps state of the database in memory (the head of the audit chain, the queued jobs
 * it dispatches), so a second server or a local admin command on the same database would
 * dispatch jobs twice; this makes the second one refuse to open instead. PostgreSQL releases the
 * lock when the holder's connection ends, also when its process dies.
 *
 * <p>The lock goes with its connection, also when PostgreSQL restarts or cuts it. A daemon thread
 * therefore checks the connection every {@link #CHECK_EVERY}; when it is gone it connects again
 * and takes the lock again. Should another process hold it by then, the lock is {@link #lost()}
 * for good and the Database refuses every later transaction. Thread-safe.
 */
final class PostgresOwnerLock implements AutoCloseable {
    /**
     * The advisory lock's first key, "IDLE" in ASCII; the second is a hash of the schema, so
     * that servers in different schemas of one database do not exclude each other.
     */
    static final int KEY = 0x49444C45;
    static final Duration CHECK_EVERY = Duration.ofSeconds(2);

    /** Opens a new connection to the database. */
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final String url;
    private final ScheduledExecutorService watcher;
    private Connection connection;
    private volatile boolean lost;
    private boolean closed;

    private PostgresOwnerLock(Connector connector, String url, Connection connection,
            Duration checkEvery) {
        this.connector = connector;
        this.url = url;
        this.connection = connection;
        if (checkEvery == null) {
            watcher = null;
        } else {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "idle-db-owner-lock");
                t.setDaemon(true);
                return t;
            });
            long ms = checkEvery.toMillis();
            watcher.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Takes the lock on a new connection and keeps it.
     *
     * @throws PersistenceException when another process holds it
     */
    static PostgresOwnerLock acquire(Connector connector, String url) throws SQLException {
        return acquire(connector, url, CHECK_EVERY);
    }

    /** Like {@link #acquire(Connector, String)}; {@code checkEvery} null: no watcher (tests). */
    static PostgresOwnerLock acquire(Connector connector, String url, Duration checkEvery)
            throws SQLException {
        Connection c = connector.connect();
        if (!tryLock(c)) {
            throw new PersistenceException("the database " + url + " is in use by another"
                    + " IDLE server or admin command: stop it first");
        }
        return new PostgresOwnerLock(connector, url, c, checkEvery);
    }

    /** True once the lock was lost to another process; it is never taken back then. */
    boolean lost() {
        return lost;
    }

    /** The error for work refused after the lock was lost. */
    PersistenceException lostError() {
        return new PersistenceException("this server lost the database " + url + " to another IDLE"
                + " server or admin command (its connection was cut, and the other took it"
                + " meanwhile): stop one of them and restart this one");
    }

    /**
     * Keeps the lock: does nothing while its connection lives; otherwise connects again and
     * takes it again, or marks it lost. Called by the watcher thread (and tests).
     */
    synchronized void check() {
        if (closed || lost) {
            return;
        }
        try {
            if (connection.isValid(5)) {
                return;
            }
        } catch (SQLException e) {
            // treated as gone
        }
        closeQuietly(connection);
        try {
            Connection c = connector.connect();
            if (tryLock(c)) {
                connection = c;
            } else {
                lost = true;
            }
        } catch (SQLException e) {
            // the database is still away: try again next time (transactions fail meanwhile)
        }
    }

    /** pg_try_advisory_lock on {@code c}; closes {@code c} when the lock is not taken. */
    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_try_advisory_lock(?, hashtext(current_schema()))")) {
            ps.setInt(1, KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return true;
                }
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        closeQuietly(c);
        return false;
    }

    /**
     * Releases the lock, then ends its connection. The explicit unlock returns once the lock is
     * free; a close alone would free it a moment later, racing with an immediate re-open.
     */
    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (!lost) {
                try (PreparedStatement ps = connection.prepareStatement(
                        "SELECT pg_advisory_unlock(?, hashtext(current_schema()))")) {
                    ps.setInt(1, KEY);
                    ps.execute();
                } catch (SQLException e) {
                    // the connection is gone, and the lock with it
                }
            }
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // closing anyway
        }
    }
}
