package idle.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.Job;
import idle.db.repository.VerifyResult;
import idle.db.testing.PostgresExtension;
import idle.shared.testing.Poll;
import idle.shared.model.JobState;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The repository contracts on a real PostgreSQL (a schema of its own per test, in a database of
 * this class on the test JVM's cluster, {@link PostgresExtension}), plus what only an external
 * database has: restarts on the same database, one user at a time, bad credentials.
 */
class PostgresRepositoryTest extends RepositoryContractTest {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Override
    DatabaseConfig newConfig() {
        return PG.freshSchema();
    }

    @Test
    void batchedRowsSequencesAndTheAuditChainSurviveCloseAndReopen() {
        List<Long> ids = db.inTransaction(tx -> {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                long id = tx.jobs().insert(TestDatabases.job("alice", "j" + i + ".py"));
                tx.audit().append(i, "alice", "RCS", i, id, "SCF", "j" + i, null);
                out.add(id);
            }
            return out;
        });
        db.useTransaction(tx -> {
            Job v = new Job();
            v.setId(ids.get(0));
            v.setState(JobState.SUCCEEDED);
            tx.jobs().writeProgress(v);
        });
        db.close();
        db = Database.open(config);
        assertEquals(150L, (long) db.inTransaction(tx -> tx.jobs().count()));
        assertEquals(149, db.inTransaction(tx -> tx.jobs().inStates(Set.of(JobState.QUEUED))).size());
        assertEquals(VerifyResult.ok(150), db.inTransaction(tx -> tx.audit().verify()));
        long next = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "after.py")));
        assertTrue(next > ids.get(149), "the sequence goes on after a restart");
        db.useTransaction(tx -> tx.audit().append(9, "alice", "RCS", 9, next, "SCF", "after", null));
        assertEquals(VerifyResult.ok(151), db.inTransaction(tx -> tx.audit().verify()));
    }

    @Test
    void transactionsWorkAgainAfterPostgresRestarted() throws Exception {
        long first = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "a.py")));
        db.useTransaction(tx -> tx.audit().append(1, "alice", "RCS", 1, first, "SCF", "", null));
        PG.cluster().restart(); // every connection of the pool is cut
        int failures = 0;
        long second = 0;
        for (int attempt = 0; attempt < 3 && second == 0; attempt++) {
            try {
                second = db.inTransaction(tx -> {
                    long id = tx.jobs().insert(TestDatabases.job("alice", "b.py"));
                    tx.audit().append(2, "alice", "RCS", 2, id, "SCF", "", null);
                    return id;
                });
            } catch (PersistenceException e) {
                failures++; // at most the transactions that held a cut connection
            }
        }
        assertTrue(second > first, "a transaction succeeded after the restart (" + failures
                + " failed)");
        // the one-owner lock went with its connection; the watcher takes it again (looked at in
        // pg_locks: opening to find out would take the lock while it is free)
        try (Connection c = TestDatabases.jdbc(config)) {
            Poll.require(() -> PostgresOwnerLockTest.held(c) == 1, Duration.ofSeconds(20),
                    "the lock is held again after the restart");
        }
        PersistenceException refused = assertThrows(PersistenceException.class,
                () -> Database.open(config));
        assertTrue(refused.getMessage().contains("in use by another IDLE server"));
        assertEquals(2L, (long) db.inTransaction(tx -> tx.jobs().count()));
        assertEquals(VerifyResult.ok(2), db.inTransaction(tx -> tx.audit().verify()));
    }

    @Test
    void secondOpenOfTheSameDatabaseIsRefusedUntilTheFirstIsClosed() {
        PersistenceException e = assertThrows(PersistenceException.class, () -> Database.open(config));
        assertTrue(e.getMessage().contains("in use by another IDLE server"), e.getMessage());
        db.close();
        db = Database.open(config); // the lock went with the first one
        assertEquals(0L, (long) db.inTransaction(tx -> tx.jobs().count()));
    }

    @Test
    void wrongPasswordIsRefusedWithoutShowingIt() {
        DatabaseConfig wrong = new DatabaseConfig(config.jdbcUrl(), config.user(), "not-the-password-7");
        PersistenceException e = assertThrows(PersistenceException.class, () -> Database.open(wrong));
        assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password-7"), e.getMessage());
        assertFalse(wrong.toString().contains("not-the-password-7"));
    }

    @Test
    void largeTextAndBinaryColumnsArePostgresTypes() throws Exception {
        try (Connection c = TestDatabases.jdbc(config); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT column_name, data_type FROM"
                        + " information_schema.columns WHERE table_schema = current_schema()"
                        + " AND table_name = 'job' AND column_name IN ('script', 'args', 'state_open')"
                        + " ORDER BY column_name")) {
            List<String> types = new ArrayList<>();
            while (rs.next()) {
                types.add(rs.getString(1) + " " + rs.getString(2));
            }
            assertEquals(List.of("args text", "script bytea", "state_open smallint"), types);
        }
    }
}
