package idle.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import idle.db.entity.Job;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.ModuleNeed;
import java.sql.Connection;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A job's module needs survive the database: through the batched INSERT, through JPA, in the
 * listing queries (explicit column list) and the restart query; an older database without the
 * column gets it and its jobs read as needing no modules.
 */
class ModuleNeedsStorageTest {
    private static final JobNeeds NEEDS = new JobNeeds("3.10", 256, 60, List.of(
            ModuleNeed.any("numpy"), ModuleNeed.parse("pandas>=2,<3"),
            ModuleNeed.parse("scikit-learn~=1.3.0"), ModuleNeed.parse("yaml==6.*")));

    private static Job withNeeds(String name) {
        Job j = TestDatabases.job("alice", name);
        j.setNeeds(NEEDS);
        return j;
    }

    @Test
    void moduleNeedsSurviveEveryWayInAndOut() {
        try (Database db = Database.open(TestDatabases.freshInMemory())) {
            long added = db.inTransaction(tx -> tx.jobs().add(withNeeds("added.py")).getId());
            long inserted = db.inTransaction(tx -> tx.jobs().insert(withNeeds("inserted.py")));
            long none = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "n.py")));
            for (long id : List.of(added, inserted)) {
                assertEquals(NEEDS, db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow()
                        .getNeeds(), "find " + id);
            }
            for (Job j : db.inTransaction(tx -> tx.jobs().page("alice", null, null, 0, 10))) {
                assertEquals(j.getId() == none ? List.of() : NEEDS.modules(),
                        j.getNeeds().modules(), "page " + j.getScriptName());
            }
            for (Job j : db.inTransaction(tx -> tx.jobs().inStates(EnumSet.of(JobState.QUEUED)))) {
                assertEquals(j.getId() == none ? List.of() : NEEDS.modules(),
                        j.getNeeds().modules(), "inStates " + j.getScriptName());
            }
        }
    }

    @Test
    void anOlderDatabaseGetsTheColumnAndItsJobsNeedNoModules() throws Exception {
        DatabaseConfig config = TestDatabases.freshOnDisk();
        long old;
        try (Database db = Database.open(config)) {
            old = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "old.py")));
        }
        try (Connection c = TestDatabases.jdbc(config); Statement st = c.createStatement()) {
            st.executeUpdate("ALTER TABLE JOB DROP COLUMN MODULE_NEEDS");
        }
        shutdown(config);
        try (Database db = Database.open(config)) {
            Job j = db.inTransaction(tx -> tx.jobs().find(old)).orElseThrow();
            assertEquals(new JobNeeds("3.10", 256, 60).modules(), j.getNeeds().modules());
            long fresh = db.inTransaction(tx -> tx.jobs().insert(withNeeds("new.py")));
            assertEquals(NEEDS, db.inTransaction(tx -> tx.jobs().find(fresh)).orElseThrow()
                    .getNeeds());
            assertEquals(2, db.inTransaction(tx -> tx.jobs().inStates(EnumSet.of(JobState.QUEUED)))
                    .size());
        }
    }

    private static void shutdown(DatabaseConfig config) {
        try {
            java.sql.DriverManager.getConnection(config.baseUrl() + ";shutdown=true").close();
        } catch (java.sql.SQLException e) {
            assertEquals("08006", e.getSQLState(), e.toString());
        }
    }

    @Test
    void aStoredNeedThatNoLongerParsesIsLeftOutNotFatal() {
        Job j = TestDatabases.job("alice", "x.py");
        j.setModuleNeeds(List.of("numpy>=1.24", "bad need[extra]", "numpy", "pandas"));
        assertEquals(List.of(ModuleNeed.parse("numpy>=1.24"), ModuleNeed.any("pandas")),
                j.getNeeds().modules());
    }
}
