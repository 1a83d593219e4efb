package idle.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.Job;
import idle.db.repository.VerifyResult;
import idle.shared.model.JobState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The repository contracts on embedded Derby on disk (under target/), plus restarts. */
class OnDiskRepositoryTest extends RepositoryContractTest {
    @Override
    DatabaseConfig newConfig() {
        return TestDatabases.freshOnDisk();
    }

    @Test
    void everythingSurvivesCloseAndReopen() {
        long jobId = db.inTransaction(tx -> {
            tx.users().add(TestDatabases.user("alice"));
            Job j = tx.jobs().add(TestDatabases.job("alice", "keep.py"));
            tx.audit().append(1, "alice", "RCS", 1, j.getId(), "SCF", "before restart", null);
            return j.getId();
        });
        db.close();
        db = Database.open(config);
        assertTrue(db.inTransaction(tx -> tx.users().findByName("alice")).isPresent());
        Job j = db.inTransaction(tx -> tx.jobs().find(jobId)).orElseThrow();
        assertEquals("keep.py", j.getScriptName());
        assertEquals(List.of("--n", "3"), j.getArgs());
        // new ids keep growing and the audit chain goes on after a restart
        long next = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "b.py")).getId());
        assertTrue(next > jobId);
        db.useTransaction(tx -> tx.audit().append(2, "alice", "RCS", 2, next, "SCF", "after restart", null));
        assertEquals(VerifyResult.ok(2), db.inTransaction(tx -> tx.audit().verify()));
        assertEquals(List.of(next, jobId), db.inTransaction(tx -> tx.jobs().page("alice", null, null, 0, 10))
                .stream().map(Job::getId).toList());
    }

    @Test
    void batchedInsertsProgressAndAuditRowsSurviveCloseAndReopen() {
        List<Long> ids = db.inTransaction(tx -> {
            List<Long> out = new java.util.ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long id = tx.jobs().insert(TestDatabases.job("alice", "j" + i + ".py"));
                tx.audit().append(i, "alice", "RCS", i, id, "SCF", "j" + i, null);
                out.add(id);
            }
            return out;
        });
        db.useTransaction(tx -> {
            for (long id : ids.subList(0, 100)) {
                Job v = new Job();
                v.setId(id);
                v.setState(JobState.SUCCEEDED);
                v.setFinishedAt(7);
                tx.jobs().writeProgress(v);
                tx.audit().append(1, "lender", "FIN", 1, id, "SCF", "", null);
            }
        });
        db.close();
        db = Database.open(config);
        assertEquals(300L, (long) db.inTransaction(tx -> tx.jobs().count()));
        assertEquals(100L, (long) db.inTransaction(tx -> tx.jobs().countByState()).get(JobState.SUCCEEDED));
        assertEquals(200, db.inTransaction(tx -> tx.jobs().inStates(Set.of(JobState.QUEUED))).size());
        assertEquals("j299.py", db.inTransaction(tx -> tx.jobs().find(ids.get(299))).orElseThrow().getScriptName());
        assertEquals(VerifyResult.ok(400), db.inTransaction(tx -> tx.audit().verify()));
        long next = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "after.py")));
        assertTrue(next > ids.get(299));
    }

    @Test
    void canBeReopenedManyTimesInOneJvm() {
        for (int i = 0; i < 3; i++) {
            db.useTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "a.py")));
            db.close();
            db = Database.open(config);
        }
        assertEquals(3L, (long) db.inTransaction(tx -> tx.jobs().count()));
        assertEquals(3, db.inTransaction(tx -> tx.jobs().inStates(Set.of(JobState.QUEUED))).size());
    }
}
