package idle.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.testing.PostgresExtension;
import idle.shared.testing.Poll;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one-owner lock of a PostgreSQL database when its connection is cut (a PostgreSQL restart,
 * an administrator's pg_terminate_backend): taken again when nobody else took it, lost for good
 * when somebody did. A database of its own per test; the checks are called by the test, not by
 * the watcher thread, so that nothing races.
 */
class PostgresOwnerLockTest {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Connection connect(DatabaseConfig db) throws SQLException {
        return TestDatabases.jdbc(db);
    }

    /** Advisory locks of IDLE's key held in this database by other sessions. */
    static int held(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*)"
                + " FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = "
                + PostgresOwnerLock.KEY + " AND pid <> pg_backend_pid() AND database ="
                + " (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void cutTheLocksConnection(Connection c) throws SQLException {
        terminateHolder(c);
        Poll.require(() -> held(c) == 0, WAIT, "the lock's session ended");
    }

    private static void terminateHolder(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    + " AND granted AND classid = " + PostgresOwnerLock.KEY
                    + " AND pid <> pg_backend_pid() AND database ="
                    + " (SELECT oid FROM pg_database WHERE datname = current_database())");
        }
    }

    /**
     * Cuts the holder's connection while {@code other} waits in line for the lock: PostgreSQL
     * grants it to the waiter as the holder's session ends, before any new attempt of the holder
     * to take it again (which is what makes this deterministic).
     */
    private static void takeOver(Connection other, Connection third) throws Exception {
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try (PreparedStatement ps = other.prepareStatement(
                    "SELECT pg_advisory_lock(?, hashtext(current_schema()))")) {
                ps.setInt(1, PostgresOwnerLock.KEY);
                ps.execute();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        Poll.require(() -> waiters(third) == 1, WAIT, "the other waits for the lock");
        terminateHolder(third);
        waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static int waiters(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*)"
                + " FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = "
                + PostgresOwnerLock.KEY)) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_try_advisory_lock(?, hashtext(current_schema()))")) {
            ps.setInt(1, PostgresOwnerLock.KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    @Test
    void aCutConnectionIsReplacedAndTheLockTakenAgain() throws Exception {
        DatabaseConfig db = PG.cluster().newDatabase("lock_again");
        try (PostgresOwnerLock lock = PostgresOwnerLock.acquire(() -> connect(db), db.jdbcUrl(), null);
                Connection other = connect(db)) {
            assertEquals(1, held(other));
            cutTheLocksConnection(other);
            lock.check();
            assertFalse(lock.lost());
            assertEquals(1, held(other), "held again, on a new connection");
            assertFalse(tryLock(other), "a second owner is refused again");
        }
    }

    @Test
    void whenAnotherTookTheLockMeanwhileItIsLostAndTheDatabaseRefusesWork() throws Exception {
        DatabaseConfig db = PG.cluster().newDatabase("lock_lost");
        try (PostgresOwnerLock lock = PostgresOwnerLock.acquire(() -> connect(db), db.jdbcUrl(), null);
                Connection other = connect(db); Connection third = connect(db)) {
            takeOver(other, third);
            lock.check();
            assertTrue(lock.lost());
            lock.check(); // lost for good: not taken back even once free
            assertTrue(lock.lost());
            assertTrue(lock.lostError().getMessage().contains("lost the database"));
        }
    }

    @Test
    void anOpenDatabaseWhoseLockWasLostRefusesEveryTransaction() throws Exception {
        DatabaseConfig db = PG.cluster().newDatabase("db_lost");
        try (Database open = Database.open(db); Connection other = connect(db);
                Connection third = connect(db)) {
            open.useTransaction(tx -> tx.users().add(TestDatabases.user("alice")));
            takeOver(other, third);
            // the watcher thread finds out within its period
            Poll.require(() -> {
                try {
                    open.inTransaction(tx -> tx.users().count());
                    return false;
                } catch (PersistenceException e) {
                    return e.getMessage().contains("lost the database");
                }
            }, WAIT, "transactions refused after the lock was lost");
            PersistenceException e = assertThrows(PersistenceException.class,
                    () -> open.useTransaction(tx -> tx.users().add(TestDatabases.user("bob"))));
            assertTrue(e.getMessage().contains("lost the database"), e.getMessage());
        }
    }
}
