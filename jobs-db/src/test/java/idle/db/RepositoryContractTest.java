package idle.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.AuditEvent;
import idle.db.entity.Job;
import idle.db.entity.UserAccount;
import idle.db.repository.AuditRepository;
import idle.db.repository.DuplicateNameException;
import idle.db.repository.VerifyResult;
import idle.shared.model.JobState;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contracts of Database, Transaction and the repositories, run against each kind of
 * database by the subclasses.
 */
abstract class RepositoryContractTest {
    protected DatabaseConfig config;
    protected Database db;

    /** A fresh, not yet opened database. */
    abstract DatabaseConfig newConfig();

    @BeforeEach
    void open() {
        config = newConfig();
        db = Database.open(config);
    }

    @AfterEach
    void close() {
        db.close();
    }

    // ---- users

    @Test
    void addedUserIsFoundByNameWithAllFields() {
        UserAccount added = db.inTransaction(tx -> tx.users().add(TestDatabases.user("alice")));
        assertTrue(added.getId() > 0);
        UserAccount found = db.inTransaction(tx -> tx.users().findByName("alice")).orElseThrow();
        assertEquals(added.getId(), found.getId());
        assertEquals("aGFzaA==", found.getPasswordHash());
        assertEquals("c2FsdA==", found.getSalt());
        assertEquals("PBKDF2WithHmacSHA256", found.getHashAlgorithm());
        assertEquals(600_000, found.getIterations());
        assertFalse(found.isAdmin());
        assertTrue(found.isEnabled());
        assertEquals(1_700_000_000_000L, found.getCreatedAt());
    }

    @Test
    void unknownUserIsEmpty() {
        db.useTransaction(tx -> tx.users().add(TestDatabases.user("alice")));
        assertTrue(db.inTransaction(tx -> tx.users().findByName("bob")).isEmpty());
        assertTrue(db.inTransaction(tx -> tx.users().findByName("ALICE")).isEmpty());
    }

    @Test
    void duplicateNameIsRejectedAndTheFirstAccountKept() {
        db.useTransaction(tx -> tx.users().add(TestDatabases.user("alice")));
        DuplicateNameException e = assertThrows(DuplicateNameException.class,
                () -> db.useTransaction(tx -> tx.users().add(TestDatabases.user("alice"))));
        assertEquals("alice", e.name());
        assertEquals(1L, (long) db.inTransaction(tx -> tx.users().count()));
    }

    @Test
    void allUsersAreSortedByNameAndCanBeRemoved() {
        db.useTransaction(tx -> {
            tx.users().add(TestDatabases.user("carol"));
            tx.users().add(TestDatabases.user("alice"));
            tx.users().add(TestDatabases.user("bob"));
        });
        assertEquals(List.of("alice", "bob", "carol"),
                db.inTransaction(tx -> tx.users().all()).stream().map(UserAccount::getName).toList());
        assertTrue((boolean) db.inTransaction(tx -> tx.users().remove("bob")));
        assertFalse((boolean) db.inTransaction(tx -> tx.users().remove("bob")));
        assertEquals(2L, (long) db.inTransaction(tx -> tx.users().count()));
    }

    @Test
    void managedEntitiesPersistChangesAndDetachedOnesDoNot() {
        UserAccount detached = db.inTransaction(tx -> tx.users().add(TestDatabases.user("alice")));
        db.useTransaction(tx -> tx.users().findByName("alice").orElseThrow().setEnabled(false));
        detached.setAdmin(true); // after the transaction: not persisted
        UserAccount again = db.inTransaction(tx -> tx.users().findByName("alice")).orElseThrow();
        assertFalse(again.isEnabled());
        assertFalse(again.isAdmin());
    }

    // ---- jobs

    @Test
    void jobRoundTripsEveryField() {
        Job j = TestDatabases.job("alice", "stats.py");
        j.setArgs(List.of("a:b", "", "3:xyz", "ünï cödé", "line\nbreak"));
        j.setInputNames(List.of());
        j.setScript(new byte[] {0, 1, 2, (byte) 255});
        long id = db.inTransaction(tx -> tx.jobs().add(j).getId());
        db.useTransaction(tx -> {
            Job m = tx.jobs().find(id).orElseThrow();
            m.setState(JobState.LIMIT_EXCEEDED);
            m.setAttempts(2);
            m.setLenderPseudonym("lender-7f3a");
            m.setStartedAt(10);
            m.setFinishedAt(20);
            m.setExitCode(137);
            m.setLimitHit(Limit.MEMORY);
            m.setFailureReason("memory limit");
            m.setOutputBytes(12345);
            m.setOutputSha256("cd".repeat(32));
            m.setCpuMillis(999);
            m.setOutputFiles(List.of(new OutputFileInfo("out.csv", 10, "ef".repeat(32)),
                    new OutputFileInfo("a:b|c", 0, "01".repeat(32))));
        });
        Job f = db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow();
        assertEquals("alice", f.getOwnerName());
        assertEquals("stats.py", f.getScriptName());
        assertEquals("ab".repeat(32), f.getScriptSha256());
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, f.getScript());
        assertEquals(List.of("a:b", "", "3:xyz", "ünï cödé", "line\nbreak"), f.getArgs());
        assertEquals(List.of(), f.getInputNames());
        assertEquals(JobState.LIMIT_EXCEEDED, f.getState());
        assertEquals(2, f.getAttempts());
        assertEquals("lender-7f3a", f.getLenderPseudonym());
        assertEquals(1_700_000_000_000L, f.getSubmittedAt());
        assertEquals(10, f.getStartedAt());
        assertEquals(20, f.getFinishedAt());
        assertEquals(137, f.getExitCode());
        assertEquals(Limit.MEMORY, f.getLimitHit());
        assertEquals("memory limit", f.getFailureReason());
        assertEquals(12345, f.getOutputBytes());
        assertEquals("cd".repeat(32), f.getOutputSha256());
        assertEquals(999, f.getCpuMillis());
        assertEquals(List.of(new OutputFileInfo("out.csv", 10, "ef".repeat(32)),
                new OutputFileInfo("a:b|c", 0, "01".repeat(32))), f.getOutputFiles());
        assertEquals("3.10", f.getMinPython());
        assertEquals(256, f.getMemoryMb());
        assertEquals(60, f.getTimeoutSeconds());
    }

    @Test
    void listsCarryNoScriptAndScriptOfReadsItAlone() {
        Job j = TestDatabases.job("alice", "big.py");
        byte[] script = new byte[1 << 20];
        java.util.Arrays.fill(script, (byte) 'x');
        j.setScript(script);
        long id = db.inTransaction(tx -> tx.jobs().add(j).getId());
        Job listed = db.inTransaction(tx -> tx.jobs().page("alice", null, null, 0, 10)).get(0);
        assertEquals(id, listed.getId());
        assertEquals("big.py", listed.getScriptName());
        assertEquals(0, listed.getScript().length, "a history page must not load scripts");
        Job open = db.inTransaction(tx -> tx.jobs().inStates(List.of(JobState.QUEUED))).get(0);
        assertEquals(0, open.getScript().length, "recovery must not load scripts");
        assertArrayEquals(script, db.inTransaction(tx -> tx.jobs().scriptOf(id)).orElseThrow());
        assertTrue(db.inTransaction(tx -> tx.jobs().scriptOf(id + 1000)).isEmpty());
    }

    @Test
    void newJobIsQueuedWithNullExitCodeAndLimit() {
        long id = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "a.py")).getId());
        Job f = db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow();
        assertEquals(JobState.QUEUED, f.getState());
        assertNull(f.getExitCode());
        assertNull(f.getLimitHit());
        assertEquals(0, f.getStartedAt());
        assertEquals(List.of("--n", "3"), f.getArgs());
        assertEquals(List.of("data.csv"), f.getInputNames());
    }

    @Test
    void overlongReasonAndScriptNameAreCutToFit() {
        Job j = TestDatabases.job("alice", "n".repeat(5000) + ".py");
        j.setFailureReason("r".repeat(100_000));
        long id = db.inTransaction(tx -> tx.jobs().add(j).getId());
        Job f = db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow();
        assertEquals(Job.MAX_SCRIPT_NAME, f.getScriptName().length());
        assertEquals(Job.MAX_REASON, f.getFailureReason().length());
    }

    @Test
    void unknownJobIsEmpty() {
        assertTrue(db.inTransaction(tx -> tx.jobs().find(12345)).isEmpty());
    }

    @Test
    void jobIdsGrowInSubmissionOrderAcrossTransactions() {
        List<Long> ids = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            db.useTransaction(tx -> {
                for (int i = 0; i < 150; i++) { // more than one sequence allocation
                    ids.add(tx.jobs().add(TestDatabases.job("alice", "a.py")).getId());
                }
            });
        }
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(ids.get(i) > ids.get(i - 1), "ids must grow: " + ids.get(i - 1) + ", " + ids.get(i));
        }
        assertEquals(450L, (long) db.inTransaction(tx -> tx.jobs().count()));
    }

    @Test
    void updateCopiesADetachedJob() {
        Job detached = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "a.py")));
        detached.setState(JobState.RUNNING);
        detached.setAttempts(1);
        db.useTransaction(tx -> tx.jobs().update(detached));
        Job f = db.inTransaction(tx -> tx.jobs().find(detached.getId())).orElseThrow();
        assertEquals(JobState.RUNNING, f.getState());
        assertEquals(1, f.getAttempts());
        Job ghost = TestDatabases.job("alice", "ghost.py");
        assertThrows(IllegalArgumentException.class, () -> db.useTransaction(tx -> tx.jobs().update(ghost)));
    }

    @Test
    void writeProgressSetsEveryChangingFieldWithoutTouchingTheRest() {
        long id = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "a.py")).getId());
        long other = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("bob", "b.py")).getId());
        Job v = new Job();
        v.setId(id);
        v.setState(JobState.LIMIT_EXCEEDED);
        v.setAttempts(2);
        v.setLenderPseudonym("lender-1");
        v.setStartedAt(10);
        v.setFinishedAt(20);
        v.setExitCode(137);
        v.setLimitHit(Limit.MEMORY);
        v.setFailureReason("memory limit");
        v.setOutputBytes(12345);
        v.setOutputSha256("cd".repeat(32));
        v.setCpuMillis(999);
        v.setOutputFiles(List.of(new OutputFileInfo("out.csv", 10, "ef".repeat(32))));
        db.useTransaction(tx -> tx.jobs().writeProgress(v));
        Job f = db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow();
        assertEquals(JobState.LIMIT_EXCEEDED, f.getState());
        assertEquals(2, f.getAttempts());
        assertEquals("lender-1", f.getLenderPseudonym());
        assertEquals(10, f.getStartedAt());
        assertEquals(20, f.getFinishedAt());
        assertEquals(137, f.getExitCode());
        assertEquals(Limit.MEMORY, f.getLimitHit());
        assertEquals("memory limit", f.getFailureReason());
        assertEquals(12345, f.getOutputBytes());
        assertEquals("cd".repeat(32), f.getOutputSha256());
        assertEquals(999, f.getCpuMillis());
        assertEquals(List.of(new OutputFileInfo("out.csv", 10, "ef".repeat(32))), f.getOutputFiles());
        assertEquals("alice", f.getOwnerName());
        assertEquals("a.py", f.getScriptName());
        assertEquals(List.of("--n", "3"), f.getArgs());
        assertEquals(List.of("data.csv"), f.getInputNames());
        assertEquals(1_700_000_000_000L, f.getSubmittedAt());
        // back to nulls, and the other row untouched
        Job w = new Job();
        w.setId(id);
        w.setState(JobState.QUEUED);
        db.useTransaction(tx -> tx.jobs().writeProgress(w));
        Job g = db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow();
        assertEquals(JobState.QUEUED, g.getState());
        assertNull(g.getExitCode());
        assertNull(g.getLimitHit());
        assertNull(g.getFailureReason());
        assertNull(g.getLenderPseudonym());
        assertNull(g.getOutputSha256());
        assertEquals(List.of(), g.getOutputFiles());
        assertEquals(JobState.QUEUED, db.inTransaction(tx -> tx.jobs().find(other)).orElseThrow().getState());
        assertEquals("bob", db.inTransaction(tx -> tx.jobs().find(other)).orElseThrow().getOwnerName());
    }

    @Test
    void writeProgressSeesAJobAddedInTheSameTransactionAndBatchesWithOthers() {
        long old = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "o.py")).getId());
        long id = db.inTransaction(tx -> {
            Job j = tx.jobs().add(TestDatabases.job("alice", "a.py"));
            Job v = new Job();
            v.setId(j.getId());
            v.setState(JobState.RUNNING);
            v.setAttempts(1);
            tx.jobs().writeProgress(v);
            Job o = new Job();
            o.setId(old);
            o.setState(JobState.SUCCEEDED);
            tx.jobs().writeProgress(o);
            tx.jobs().add(TestDatabases.job("bob", "b.py"));
            return j.getId();
        });
        assertEquals(JobState.RUNNING, db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow().getState());
        assertEquals(1, db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow().getAttempts());
        assertEquals(JobState.SUCCEEDED, db.inTransaction(tx -> tx.jobs().find(old)).orElseThrow().getState());
        assertEquals(3L, (long) db.inTransaction(tx -> tx.jobs().count()));
    }

    @Test
    void insertStoresEveryFieldAndSharesTheIdSequenceWithAdd() {
        long before = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "a.py")).getId());
        Job j = TestDatabases.job("bob", "b.py");
        j.setState(JobState.RUNNING);
        j.setAttempts(1);
        j.setLenderPseudonym("lender-7");
        j.setStartedAt(5);
        j.setFailureReason("why");
        List<Long> ids = db.inTransaction(tx -> {
            List<Long> out = new ArrayList<>();
            out.add(tx.jobs().insert(j));
            for (int i = 0; i < 150; i++) { // more than one sequence allocation
                out.add(tx.jobs().insert(TestDatabases.job("carol", "c" + i + ".py")));
            }
            out.add(tx.jobs().add(TestDatabases.job("alice", "d.py")).getId());
            return out;
        });
        assertEquals(ids.get(0), j.getId());
        assertEquals(ids.size(), new HashSet<>(ids).size());
        assertTrue(ids.get(0) > before);
        for (int i = 1; i < ids.size() - 1; i++) {
            assertTrue(ids.get(i) > ids.get(i - 1), "ids must grow: " + ids);
        }
        assertEquals(153L, (long) db.inTransaction(tx -> tx.jobs().count()));
        Job f = db.inTransaction(tx -> tx.jobs().find(j.getId())).orElseThrow();
        assertEquals("bob", f.getOwnerName());
        assertEquals("b.py", f.getScriptName());
        assertEquals("ab".repeat(32), f.getScriptSha256());
        assertArrayEquals("print('b.py')".getBytes(), f.getScript());
        assertEquals(List.of("--n", "3"), f.getArgs());
        assertEquals(List.of("data.csv"), f.getInputNames());
        assertEquals(new idle.shared.model.JobNeeds("3.10", 256, 60), f.getNeeds());
        assertEquals(1_700_000_000_000L, f.getSubmittedAt());
        assertEquals(JobState.RUNNING, f.getState());
        assertEquals(1, f.getAttempts());
        assertEquals("lender-7", f.getLenderPseudonym());
        assertEquals(5, f.getStartedAt());
        assertEquals(0, f.getFinishedAt());
        assertNull(f.getExitCode());
        assertNull(f.getLimitHit());
        assertEquals("why", f.getFailureReason());
        assertNull(f.getOutputSha256());
        assertEquals(List.of(), f.getOutputFiles());
    }

    @Test
    void insertedJobIsNotManagedButQueriesOfItsTransactionSeeIt() {
        Job j = TestDatabases.job("alice", "a.py");
        long id = db.inTransaction(tx -> {
            long i = tx.jobs().insert(j);
            j.setState(JobState.FAILED); // not stored: the job is not managed
            assertEquals(JobState.QUEUED, tx.jobs().find(i).orElseThrow().getState());
            assertEquals(1, tx.jobs().inStates(EnumSet.of(JobState.QUEUED)).size());
            assertEquals(1L, (long) tx.jobs().count());
            return i;
        });
        assertEquals(JobState.QUEUED, db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow().getState());
    }

    @Test
    void progressOfAJobInsertedInTheSameTransactionIsFoldedAndTheLastOneWins() {
        long old = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "o.py")));
        long id = db.inTransaction(tx -> {
            long i = tx.jobs().insert(TestDatabases.job("alice", "a.py"));
            Job v = new Job();
            v.setId(i);
            v.setState(JobState.RUNNING);
            v.setAttempts(1);
            tx.jobs().writeProgress(v);
            v.setState(JobState.FAILED); // copied at the call: not stored
            Job w = new Job();
            w.setId(i);
            w.setState(JobState.SUCCEEDED);
            w.setAttempts(1);
            w.setExitCode(0);
            w.setOutputFiles(List.of(new OutputFileInfo("out.txt", 3, "ef".repeat(32))));
            tx.jobs().writeProgress(w);
            for (JobState s : List.of(JobState.RUNNING, JobState.LOST, JobState.CANCELLED)) {
                Job o = new Job();
                o.setId(old);
                o.setState(s);
                o.setFailureReason(s.name());
                tx.jobs().writeProgress(o);
            }
            return i;
        });
        Job f = db.inTransaction(tx -> tx.jobs().find(id)).orElseThrow();
        assertEquals(JobState.SUCCEEDED, f.getState());
        assertEquals(0, f.getExitCode());
        assertEquals("a.py", f.getScriptName());
        assertEquals(List.of(new OutputFileInfo("out.txt", 3, "ef".repeat(32))), f.getOutputFiles());
        Job o = db.inTransaction(tx -> tx.jobs().find(old)).orElseThrow();
        assertEquals(JobState.CANCELLED, o.getState());
        assertEquals("CANCELLED", o.getFailureReason());
        assertEquals("o.py", o.getScriptName());
    }

    @Test
    void insertsAndProgressRollBackWithTheirTransaction() {
        long old = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "o.py")));
        assertThrows(IllegalStateException.class, () -> db.useTransaction(tx -> {
            tx.jobs().insert(TestDatabases.job("alice", "a.py"));
            Job o = new Job();
            o.setId(old);
            o.setState(JobState.SUCCEEDED);
            tx.jobs().writeProgress(o);
            tx.audit().append(1, "alice", "RCS", 1, old, "SCF", "", null);
            tx.flush();
            throw new IllegalStateException("boom");
        }));
        assertEquals(1L, (long) db.inTransaction(tx -> tx.jobs().count()));
        assertEquals(JobState.QUEUED, db.inTransaction(tx -> tx.jobs().find(old)).orElseThrow().getState());
        assertEquals(List.of(), db.inTransaction(tx -> tx.audit().query(null, null, 10)));
    }

    @Test
    void aRejectedBatchFailsTheCommitStoresNothingAndTheNextTransactionWorks() {
        long before = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "ok.py")));
        Job bad = TestDatabases.job(null, "no-owner.py"); // OWNER_NAME is NOT NULL
        assertThrows(jakarta.persistence.PersistenceException.class, () -> db.useTransaction(tx -> {
            tx.jobs().insert(TestDatabases.job("alice", "a.py"));
            tx.jobs().insert(bad);
            tx.audit().append(1, "alice", "RCS", 1, null, "SCF", "", null);
        }));
        assertEquals(1L, (long) db.inTransaction(tx -> tx.jobs().count()));
        assertEquals(List.of(), db.inTransaction(tx -> tx.audit().query(null, null, 10)));
        long after = db.inTransaction(tx -> {
            long id = tx.jobs().insert(TestDatabases.job("alice", "b.py"));
            tx.audit().append(2, "alice", "RCS", 2, id, "SCF", "", null);
            return id;
        });
        assertTrue(after > before);
        assertEquals(2L, (long) db.inTransaction(tx -> tx.jobs().count()));
        assertEquals(VerifyResult.ok(1), db.inTransaction(tx -> tx.audit().verify()));
    }

    @Test
    void committedInsertsAreSeenByAnotherConnection() throws Exception {
        long id = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice", "a.py")));
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement ps = c.prepareStatement("SELECT SCRIPT_NAME FROM JOB WHERE ID = ?")) {
            ps.setLong(1, id);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("a.py", rs.getString(1));
            }
        }
    }

    /** Adds jobs for alice and bob alternately; returns the ids in order. */
    private List<Long> addAlternating(int n) {
        return db.inTransaction(tx -> {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Job j = TestDatabases.job(i % 2 == 0 ? "alice" : "bob", (i % 3 == 0 ? "Prime_" : "plain") + i + ".py");
                if (i % 4 == 0) {
                    j.setState(JobState.SUCCEEDED);
                }
                ids.add(tx.jobs().add(j).getId());
            }
            return ids;
        });
    }

    @Test
    void pageIsNewestFirstAndLimited() {
        List<Long> ids = addAlternating(10);
        List<Job> page = db.inTransaction(tx -> tx.jobs().page(null, null, null, 0, 4));
        assertEquals(List.of(ids.get(9), ids.get(8), ids.get(7), ids.get(6)), page.stream().map(Job::getId).toList());
    }

    @Test
    void pagingWithBeforeIdVisitsEveryOwnJobOnce() {
        List<Long> ids = addAlternating(25);
        List<Long> seen = new ArrayList<>();
        long before = 0;
        while (true) {
            long b = before;
            List<Job> page = db.inTransaction(tx -> tx.jobs().page("alice", null, null, b, 5));
            if (page.isEmpty()) {
                break;
            }
            page.forEach(j -> assertEquals("alice", j.getOwnerName()));
            page.forEach(j -> seen.add(j.getId()));
            before = page.get(page.size() - 1).getId();
        }
        List<Long> expected = new ArrayList<>();
        for (int i = 24; i >= 0; i -= 2) {
            expected.add(ids.get(i));
        }
        assertEquals(expected, seen);
    }

    @Test
    void ownersSeeOnlyTheirJobsAndAdminsSeeAll() {
        addAlternating(9);
        assertEquals(5, db.inTransaction(tx -> tx.jobs().page("alice", null, null, 0, 100)).size());
        assertEquals(4, db.inTransaction(tx -> tx.jobs().page("bob", null, null, 0, 100)).size());
        assertEquals(0, db.inTransaction(tx -> tx.jobs().page("mallory", null, null, 0, 100)).size());
        assertEquals(9, db.inTransaction(tx -> tx.jobs().page(null, null, null, 0, 100)).size());
    }

    @Test
    void everybodysPagesVisitEveryJobOnceNewestFirstAcrossGapsInTheIds() {
        List<Long> ids = new ArrayList<>(addAlternating(30)); // "Prime_" at 0, 3, 6, ...
        // later ids far apart: each gap is wider than the widest window of ids read at once
        db.useTransaction(tx -> {
            for (int i = 0; i < 4; i++) {
                Job j = TestDatabases.job("carol", "late" + i + ".py");
                j.setId(1_000_000L + i * 50_000L);
                ids.add(tx.jobs().insert(j));
            }
        });
        List<Long> newestFirst = new ArrayList<>(ids);
        Collections.reverse(newestFirst);
        List<Long> seen = new ArrayList<>();
        long before = 0;
        while (true) {
            long b = before;
            List<Job> page = db.inTransaction(tx -> tx.jobs().page(null, null, null, b, 7));
            if (page.isEmpty()) {
                break;
            }
            page.forEach(j -> seen.add(j.getId()));
            before = page.get(page.size() - 1).getId();
        }
        assertEquals(newestFirst, seen);
        // a filter only the oldest jobs match, and one nothing matches
        List<Long> prime = new ArrayList<>();
        for (int i = 27; i >= 0; i -= 3) {
            prime.add(ids.get(i));
        }
        assertEquals(prime.subList(0, 4), db.inTransaction(tx -> tx.jobs().page(null, null, "prime", 0, 4))
                .stream().map(Job::getId).toList());
        assertEquals(prime, db.inTransaction(tx -> tx.jobs().pageOwnJobs(null, null, "prime", 0, 100))
                .stream().map(Job::getId).toList());
        assertEquals(List.of(), db.inTransaction(tx -> tx.jobs().page(null, null, "nothing", 0, 10)));
        assertEquals(List.of(), db.inTransaction(tx -> tx.jobs().page(null, null, null, ids.get(0), 10)));
    }

    @Test
    void theIdIndexOfOlderVersionsIsDroppedAtOpenAndPagesStillWork() throws Exception {
        List<Long> ids = addAlternating(3);
        db.close();
        try (java.sql.Connection c = TestDatabases.jdbc(config);
                java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("CREATE INDEX JOB_ID_DESC_IX ON JOB (ID DESC)");
        }
        assertTrue(Schema.read(config).indexes().contains("JOB_ID_DESC_IX"));
        db = Database.open(config);
        assertFalse(Schema.read(config).indexes().contains("JOB_ID_DESC_IX"));
        assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)), db.inTransaction(tx -> tx.jobs()
                .page(null, null, null, 0, 10)).stream().map(Job::getId).toList());
    }

    @Test
    void replicasOfAVerifiedJobAreFoundOpenOrEndedInIdOrder() {
        long[] parents = db.inTransaction(tx -> new long[] {
            tx.jobs().insert(TestDatabases.job("alice", "a.py")),
            tx.jobs().insert(TestDatabases.job("alice", "b.py"))});
        List<Long> ofFirst = db.inTransaction(tx -> {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Job r = TestDatabases.job("alice", "a.py");
                r.setVerifyOf(parents[i % 2 == 0 ? 0 : 1]);
                r.setState(i == 2 ? JobState.RUNNING : i < 2 ? JobState.SUCCEEDED : JobState.QUEUED);
                long id = tx.jobs().insert(r);
                if (i % 2 == 0) {
                    ids.add(id);
                }
            }
            return ids;
        });
        // one of them ends later: it moves from the open part of the index to the ended one
        db.useTransaction(tx -> {
            Job end = new Job();
            end.setId(ofFirst.get(1));
            end.setState(JobState.FAILED);
            tx.jobs().writeProgress(end);
        });
        assertEquals(ofFirst, db.inTransaction(tx -> tx.jobs().replicasOf(parents[0])).stream()
                .map(Job::getId).toList());
        assertEquals(2, db.inTransaction(tx -> tx.jobs().replicasOf(parents[1])).size());
        assertEquals(List.of(), db.inTransaction(tx -> tx.jobs().replicasOf(ofFirst.get(0))));
    }

    @Test
    void pageFiltersByStateAndNameCaseInsensitively() {
        List<Long> ids = addAlternating(12); // SUCCEEDED at 0,4,8; "Prime_" at 0,3,6,9
        assertEquals(List.of(ids.get(8), ids.get(4), ids.get(0)),
                db.inTransaction(tx -> tx.jobs().page(null, JobState.SUCCEEDED, null, 0, 100)).stream().map(Job::getId).toList());
        assertEquals(List.of(ids.get(6), ids.get(0)),
                db.inTransaction(tx -> tx.jobs().page("alice", null, "prime", 0, 100)).stream().map(Job::getId).toList());
        assertEquals(List.of(ids.get(0)),
                db.inTransaction(tx -> tx.jobs().page("alice", JobState.SUCCEEDED, "PRIME_", 0, 100)).stream().map(Job::getId).toList());
        // LIKE wildcards in the text are literal
        assertEquals(0, db.inTransaction(tx -> tx.jobs().page(null, null, "%", 0, 100)).size());
        assertEquals(4, db.inTransaction(tx -> tx.jobs().page(null, null, "e_", 0, 100)).size());
    }

    @Test
    void inStatesReturnsMatchingJobsInIdOrder() {
        List<Long> ids = addAlternating(8);
        db.useTransaction(tx -> tx.jobs().find(ids.get(5)).orElseThrow().setState(JobState.RUNNING));
        List<Long> open = db.inTransaction(tx -> tx.jobs().inStates(EnumSet.of(JobState.QUEUED, JobState.RUNNING)))
                .stream().map(Job::getId).toList();
        assertEquals(List.of(ids.get(1), ids.get(2), ids.get(3), ids.get(5), ids.get(6), ids.get(7)), open);
        assertEquals(List.of(), db.inTransaction(tx -> tx.jobs().inStates(Set.of())));
        assertEquals(List.of(), db.inTransaction(tx -> tx.jobs().inStates(Set.of(JobState.LOST))));
    }

    @Test
    void queriesSeeChangesMadeEarlierInTheSameTransaction() {
        long queuedId = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "old.py")).getId());
        db.useTransaction(tx -> {
            long newId = tx.jobs().add(TestDatabases.job("alice", "new.py")).getId();
            assertEquals(newId, tx.jobs().page("alice", null, null, 0, 1).get(0).getId());
            tx.jobs().find(queuedId).orElseThrow().setState(JobState.RUNNING);
            assertEquals(List.of(queuedId), tx.jobs().inStates(Set.of(JobState.RUNNING)).stream().map(Job::getId).toList());
            assertEquals(1L, tx.jobs().countByState().get(JobState.RUNNING));
        });
    }

    @Test
    void countsByState() {
        addAlternating(10); // SUCCEEDED at 0,4,8
        assertEquals(10L, (long) db.inTransaction(tx -> tx.jobs().count()));
        Map<JobState, Long> counts = db.inTransaction(tx -> tx.jobs().countByState());
        assertEquals(JobState.values().length, counts.size());
        assertEquals(3L, counts.get(JobState.SUCCEEDED));
        assertEquals(7L, counts.get(JobState.QUEUED));
        assertEquals(0L, counts.get(JobState.LOST));
    }

    // ---- transactions

    @Test
    void exceptionRollsBackEverythingAndIsRethrown() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> db.useTransaction(tx -> {
            tx.users().add(TestDatabases.user("alice"));
            tx.jobs().add(TestDatabases.job("alice", "a.py"));
            tx.audit().append(1, "alice", "RCS", 1, null, "SCF", "", null);
            tx.flush();
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals(0L, (long) db.inTransaction(tx -> tx.users().count()));
        assertEquals(0L, (long) db.inTransaction(tx -> tx.jobs().count()));
        assertEquals(List.of(), db.inTransaction(tx -> tx.audit().query(null, null, 10)));
        // the chain goes on from where it was
        db.useTransaction(tx -> tx.audit().append(2, "alice", "RCS", 2, null, "SCF", "", null));
        VerifyResult v = db.inTransaction(tx -> tx.audit().verify());
        assertTrue(v.ok(), v.toString());
        assertEquals(1, v.rowsChecked());
    }

    @Test
    void transactionCannotBeUsedAfterItEnded() {
        Transaction leaked = db.inTransaction(tx -> tx);
        assertThrows(IllegalStateException.class, leaked::jobs);
    }

    @Test
    void concurrentTransactionsGetDistinctIds() throws Exception {
        int threads = 4;
        int perThread = 200;
        List<Callable<List<Long>>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            work.add(() -> {
                List<Long> ids = new ArrayList<>();
                for (int i = 0; i < perThread; i += 20) {
                    ids.addAll(db.inTransaction(tx -> {
                        List<Long> batch = new ArrayList<>();
                        for (int k = 0; k < 20; k++) {
                            batch.add(tx.jobs().add(TestDatabases.job("alice", "a.py")).getId());
                        }
                        return batch;
                    }));
                }
                return ids;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : pool.invokeAll(work)) {
                all.addAll(f.get());
            }
            assertEquals(threads * perThread, all.size());
            assertEquals((long) threads * perThread, (long) db.inTransaction(tx -> tx.jobs().count()));
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    // ---- audit

    @Test
    void appendedEventsGetIdsAndHashesAtCommitAndVerify() {
        AuditEvent first = db.inTransaction(tx -> tx.audit().append(100, "alice", "LCS", 1, null, "SCF", "login", "10.0.0.1"));
        List<AuditEvent> more = db.inTransaction(tx -> List.of(
                tx.audit().append(200, "alice", "RCS", 2, 42L, "SCF", "job 42", "10.0.0.1"),
                tx.audit().append(300, null, "LCS", 1, null, "FLD", "BAD_CREDENTIALS", "10.0.0.2")));
        assertEquals(1, first.getId());
        assertEquals(AuditRepository.GENESIS_HASH, first.getPrevHash());
        assertEquals(64, first.getHash().length());
        assertEquals(2, more.get(0).getId());
        assertEquals(first.getHash(), more.get(0).getPrevHash());
        assertEquals(more.get(0).getHash(), more.get(1).getPrevHash());
        assertNotEquals(more.get(0).getHash(), more.get(1).getHash());
        VerifyResult v = db.inTransaction(tx -> tx.audit().verify());
        assertEquals(VerifyResult.ok(3), v);
    }

    @Test
    void emptyLogVerifies() {
        assertEquals(VerifyResult.ok(0), db.inTransaction(tx -> tx.audit().verify()));
    }

    @Test
    void queryFiltersBySinceAndUserOldestFirst() {
        db.useTransaction(tx -> {
            for (int i = 0; i < 10; i++) {
                tx.audit().append(1000 + i, i % 2 == 0 ? "alice" : "bob", "RCS", i, (long) i, "SCF", "n" + i, null);
            }
        });
        assertEquals(List.of("n0", "n1", "n2"), details(db.inTransaction(tx -> tx.audit().query(null, null, 3))));
        assertEquals(List.of("n6", "n7", "n8", "n9"), details(db.inTransaction(tx -> tx.audit().query(1006L, null, 100))));
        assertEquals(List.of("n5", "n7"), details(db.inTransaction(tx -> tx.audit().query(1004L, "bob", 2))));
        assertEquals(List.of("n6", "n8"), details(db.inTransaction(tx -> tx.audit().latest("alice", 2))));
        assertEquals(List.of(), db.inTransaction(tx -> tx.audit().query(5000L, null, 10)));
    }

    @Test
    void latestOfEverybodyIsTheNewestRowsOldestFirstAlsoWithRowsMissing() throws Exception {
        assertEquals(List.of(), db.inTransaction(tx -> tx.audit().latest(null, 5)));
        appendNumbered(10);
        assertEquals(List.of("detail 8", "detail 9", "detail 10"), details(db.inTransaction(tx -> tx.audit().latest(null, 3))));
        assertEquals(10, db.inTransaction(tx -> tx.audit().latest(null, 50)).size());
        assertEquals(List.of("detail 10"), details(db.inTransaction(tx -> tx.audit().latest(null, 0))));
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement st = c.prepareStatement("DELETE FROM AUDIT_EVENT WHERE ID IN (6, 8, 9)")) {
            assertEquals(3, st.executeUpdate());
        }
        assertEquals(List.of("detail 5", "detail 7", "detail 10"), details(db.inTransaction(tx -> tx.audit().latest(null, 3))));
        assertEquals(7, db.inTransaction(tx -> tx.audit().latest(null, 9)).size());
    }

    @Test
    void auditTimesNeverGoDownAlongTheChainAndSinceFindsTheFirstRowAtOrAfter() throws Exception {
        // times as threads that raced for the chain's lock would give them, over three commits
        long[][] given = {{1000, 990, 1005, 1005}, {1001, 1010, 1009}, {900, 1020, 1020, 1030}};
        for (long[] commit : given) {
            db.useTransaction(tx -> {
                for (long at : commit) {
                    tx.audit().append(at, at % 2 == 0 ? "alice" : "bob", "RCS", at, null, "SCF", "t" + at, null);
                }
            });
        }
        List<AuditEvent> all = db.inTransaction(tx -> tx.audit().query(null, null, 100));
        // an early time is stored as its predecessor's, and the chain covers the stored time
        assertEquals(List.of(1000L, 1000L, 1005L, 1005L, 1005L, 1010L, 1010L, 1010L, 1020L, 1020L, 1030L),
                all.stream().map(AuditEvent::getAt).toList());
        assertEquals(VerifyResult.ok(11), db.inTransaction(tx -> tx.audit().verify()));
        for (long since = 990; since <= 1040; since++) {
            long s = since;
            List<Long> expected = all.stream().filter(e -> e.getAt() >= s).map(AuditEvent::getId).toList();
            assertEquals(expected, db.inTransaction(tx -> tx.audit().query(s, null, 100))
                    .stream().map(AuditEvent::getId).toList(), "since " + since);
            List<Long> alice = all.stream().filter(e -> e.getAt() >= s && "alice".equals(e.getUserName()))
                    .map(AuditEvent::getId).limit(2).toList();
            assertEquals(alice, db.inTransaction(tx -> tx.audit().query(s, "alice", 2))
                    .stream().map(AuditEvent::getId).toList(), "alice since " + since);
        }
        // rows missing (ids not dense): the probes read the next row that exists
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement st = c.prepareStatement("DELETE FROM AUDIT_EVENT WHERE ID IN (3, 4, 5, 6, 11)")) {
            assertEquals(5, st.executeUpdate());
        }
        List<AuditEvent> left = db.inTransaction(tx -> tx.audit().query(null, null, 100));
        for (long since = 990; since <= 1040; since++) {
            long s = since;
            assertEquals(left.stream().filter(e -> e.getAt() >= s).map(AuditEvent::getId).toList(),
                    db.inTransaction(tx -> tx.audit().query(s, null, 100)).stream().map(AuditEvent::getId).toList(),
                    "since " + since + " with rows missing");
        }
    }

    @Test
    void aUsersEventsAreFoundAcrossWindowsOfTheKeyBothWays() throws Exception {
        // 5,000 events (several windows), a rare user at both ends and in the middle
        int total = 5000;
        Set<Integer> rare = Set.of(3, 2500, 4990);
        db.useTransaction(tx -> {
            for (int i = 1; i <= total; i++) {
                tx.audit().append(1000 + i, rare.contains(i) ? "rare" : "busy" + (i % 3), "RCS", i, null,
                        "SCF", "e" + i, null);
            }
        });
        assertEquals(List.of("e2500", "e4990"), details(db.inTransaction(tx -> tx.audit().latest("rare", 2))));
        assertEquals(List.of("e3", "e2500", "e4990"), details(db.inTransaction(tx -> tx.audit().latest("rare", 10))));
        assertEquals(List.of("e3", "e2500"), details(db.inTransaction(tx -> tx.audit().query(null, "rare", 2))));
        assertEquals(List.of("e2500", "e4990"), details(db.inTransaction(tx -> tx.audit().query(1004L, "rare", 5))));
        assertEquals(List.of("e4990"), details(db.inTransaction(tx -> tx.audit().query(1000L + 2501, "rare", 5))));
        assertEquals(List.of(), db.inTransaction(tx -> tx.audit().latest("nobody", 5)));
        assertEquals(List.of(), db.inTransaction(tx -> tx.audit().query(null, "nobody", 5)));
        // many matches over several windows, oldest first and newest first
        List<String> busy = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            if (!rare.contains(i) && i % 3 == 1) {
                busy.add("e" + i);
            }
        }
        assertEquals(busy.subList(0, 1200), details(db.inTransaction(tx -> tx.audit().query(null, "busy1", 1200))));
        assertEquals(busy.subList(busy.size() - 1200, busy.size()),
                details(db.inTransaction(tx -> tx.audit().latest("busy1", 1200))));
        assertEquals(busy, details(db.inTransaction(tx -> tx.audit().latest("busy1", total))));
        assertEquals(List.of("e4998", "e4999", "e5000"), details(db.inTransaction(tx -> tx.audit().latest(null, 3))));
        assertEquals(List.of("e4999", "e5000"), details(db.inTransaction(tx -> tx.audit().query(1000L + 4999, null, 10))));
    }

    @Test
    void theTimeAndUserIndexesOfOlderVersionsAreDroppedAtOpenAndQueriesStillWork() throws Exception {
        appendNumbered(6);
        db.close();
        try (Connection c = TestDatabases.jdbc(config); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("CREATE INDEX AUDIT_AT_IX ON AUDIT_EVENT (AT_MILLIS)");
            st.executeUpdate("CREATE INDEX AUDIT_USER_DESC_IX ON AUDIT_EVENT (USER_NAME, ID DESC)");
        }
        assertTrue(Schema.read(config).indexes().containsAll(Set.of("AUDIT_AT_IX", "AUDIT_USER_DESC_IX")));
        db = Database.open(config);
        assertFalse(Schema.read(config).indexes().contains("AUDIT_AT_IX"));
        assertFalse(Schema.read(config).indexes().contains("AUDIT_USER_DESC_IX"));
        assertEquals(List.of("detail 5", "detail 6"), details(db.inTransaction(tx -> tx.audit().latest("alice", 2))));
        assertEquals(List.of("detail 4", "detail 5", "detail 6"), details(db.inTransaction(tx -> tx.audit().query(4L, null, 10))));
        // the head's time is read back: a later event with an earlier time is raised to it
        db.useTransaction(tx -> tx.audit().append(2, "alice", "RCS", 7, null, "SCF", "late", null));
        assertEquals(List.of(6L, 6L), db.inTransaction(tx -> tx.audit().latest(null, 2)).stream()
                .map(AuditEvent::getAt).toList());
        assertEquals(VerifyResult.ok(7), db.inTransaction(tx -> tx.audit().verify()));
    }

    private static List<String> details(List<AuditEvent> events) {
        return events.stream().map(AuditEvent::getDetail).toList();
    }

    private void appendNumbered(int n) {
        db.useTransaction(tx -> {
            for (int i = 1; i <= n; i++) {
                tx.audit().append(i, "alice", "RCS", i, (long) i, "SCF", "detail " + i, "10.0.0.1");
            }
        });
    }

    @Test
    void changedDetailIsReportedAtItsRow() throws Exception {
        appendNumbered(5);
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement st = c.prepareStatement("UPDATE AUDIT_EVENT SET DETAIL = ? WHERE ID = ?")) {
            st.setString(1, "detail 3, edited");
            st.setLong(2, 3);
            assertEquals(1, st.executeUpdate());
        }
        VerifyResult v = db.inTransaction(tx -> tx.audit().verify());
        assertFalse(v.ok());
        assertEquals(3L, v.firstBrokenId());
        assertEquals(3, v.rowsChecked());
        assertTrue(v.reason().contains("content"), v.reason());
    }

    @Test
    void rewrittenHashIsReportedAtTheNextRow() throws Exception {
        appendNumbered(5);
        // A forger who fixes row 2's hash after editing it is caught by row 3's link.
        AuditEvent row2 = db.inTransaction(tx -> tx.audit().query(null, null, 2)).get(1);
        row2.setOutcome("FLD");
        String forged = idle.db.repository.jpa.AuditChain.hash(row2, row2.getPrevHash());
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement st = c.prepareStatement("UPDATE AUDIT_EVENT SET OUTCOME = 'FLD', HASH = ? WHERE ID = 2")) {
            st.setString(1, forged);
            assertEquals(1, st.executeUpdate());
        }
        VerifyResult v = db.inTransaction(tx -> tx.audit().verify());
        assertEquals(3L, v.firstBrokenId());
        assertTrue(v.reason().contains("previous hash"), v.reason());
    }

    @Test
    void removedRowIsReported() throws Exception {
        appendNumbered(5);
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement st = c.prepareStatement("DELETE FROM AUDIT_EVENT WHERE ID = 4")) {
            assertEquals(1, st.executeUpdate());
        }
        VerifyResult v = db.inTransaction(tx -> tx.audit().verify());
        assertEquals(5L, v.firstBrokenId());
        assertTrue(v.reason().contains("missing"), v.reason());
    }

    @Test
    void removedLastRowsAreReportedWhileTheServerRuns() throws Exception {
        appendNumbered(5);
        try (Connection c = TestDatabases.jdbc(config);
                PreparedStatement st = c.prepareStatement("DELETE FROM AUDIT_EVENT WHERE ID >= 4")) {
            assertEquals(2, st.executeUpdate());
        }
        VerifyResult v = db.inTransaction(tx -> tx.audit().verify());
        assertFalse(v.ok());
        assertEquals(4L, v.firstBrokenId());
    }

    @Test
    void verifyReadsMoreThanOnePage() {
        int n = idle.db.repository.jpa.JpaAuditRepository.VERIFY_PAGE * 2 + 7;
        appendNumbered(n);
        assertEquals(VerifyResult.ok(n), db.inTransaction(tx -> tx.audit().verify()));
    }

    @Test
    void concurrentAppendsKeepTheChainLinear() throws Exception {
        int threads = 6;
        int transactionsPerThread = 25;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Callable<Void>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            work.add(() -> {
                start.await();
                for (int i = 0; i < transactionsPerThread; i++) {
                    int n = i;
                    db.useTransaction(tx -> {
                        tx.jobs().add(TestDatabases.job("u" + thread, "a.py"));
                        tx.audit().append(n, "u" + thread, "RCS", n, null, "SCF", "first", null);
                        tx.audit().append(n, "u" + thread, "JST", n, null, "SCF", "second", null);
                    });
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (Future<Void> f : pool.invokeAll(work)) {
                f.get();
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
        int total = threads * transactionsPerThread * 2;
        assertEquals(VerifyResult.ok(total), db.inTransaction(tx -> tx.audit().verify()));
        // the two events of one transaction are adjacent in the chain
        List<AuditEvent> all = db.inTransaction(tx -> tx.audit().query(null, null, total));
        for (int i = 0; i < total; i += 2) {
            assertEquals("first", all.get(i).getDetail());
            assertEquals("second", all.get(i + 1).getDetail());
            assertEquals(all.get(i).getUserName(), all.get(i + 1).getUserName());
        }
    }

    @Test
    void overlongAuditTextIsCutToFit() {
        AuditEvent e = db.inTransaction(tx -> tx.audit().append(1, "alice", "RCS", 1, null, "FLD", "x".repeat(10_000), null));
        assertEquals(4000, e.getDetail().length());
        assertTrue(db.inTransaction(tx -> tx.audit().verify()).ok());
    }

    // ---- sweeps

    private long addSweep(String owner, int count) {
        return db.inTransaction(tx -> tx.sweeps().add(new idle.db.entity.Sweep(owner, "sim.py",
                "cd".repeat(32), "print(1)".getBytes(), List.of("shared.csv"),
                new idle.shared.model.JobNeeds("3.10", 64, 0), count, 1_700_000_000_000L)));
    }

    private long addTask(String owner, long sweep, int index, JobState state) {
        return db.inTransaction(tx -> {
            Job j = TestDatabases.job(owner, "sim.py");
            j.setScript(new byte[0]);
            j.setSweepTask(sweep, index);
            j.setState(state);
            return tx.jobs().insert(j);
        });
    }

    @Test
    void aSweepKeepsItsScriptOnceAndListingsDoNotReadIt() {
        long id = addSweep("alice", 3);
        assertTrue(id > 0);
        idle.db.entity.Sweep found = db.inTransaction(tx -> tx.sweeps().find(id)).orElseThrow();
        assertEquals("alice", found.getOwnerName());
        assertEquals(3, found.getTaskCount());
        assertEquals(0, found.getTasks());
        assertTrue(found.isOpen());
        assertEquals(id, found.getInputsOf());
        assertEquals(List.of("shared.csv"), found.getSharedInputs());
        assertEquals(new idle.shared.model.JobNeeds("3.10", 64, 0), found.getNeeds());
        assertArrayEquals("print(1)".getBytes(), db.inTransaction(tx -> tx.sweeps().scriptOf(id))
                .orElseThrow());
        assertTrue(db.inTransaction(tx -> tx.sweeps().scriptOf(id + 1000)).isEmpty());
        idle.db.entity.Sweep listed = db.inTransaction(tx -> tx.sweeps().page("alice", 0, 10))
                .get(0);
        assertEquals(id, listed.getId());
        assertEquals(0, listed.getScript().length);
    }

    @Test
    void sweepsArePagedNewestFirstPerOwnerAndUnfinishedOnesAreFound() {
        long a1 = addSweep("alice", 1);
        long b1 = addSweep("bob", 1);
        long a2 = addSweep("alice", 2);
        assertEquals(List.of(a2, a1), db.inTransaction(tx -> tx.sweeps().page("alice", 0, 10))
                .stream().map(idle.db.entity.Sweep::getId).toList());
        assertEquals(List.of(a1), db.inTransaction(tx -> tx.sweeps().page("alice", a2, 10))
                .stream().map(idle.db.entity.Sweep::getId).toList());
        assertEquals(List.of(a2, b1), db.inTransaction(tx -> tx.sweeps().page(null, 0, 2))
                .stream().map(idle.db.entity.Sweep::getId).toList());
        db.useTransaction(tx -> {
            tx.sweeps().setTasks(a1, 1, false);
            tx.sweeps().finish(a1, 99, 1, 0, 0);
        });
        assertEquals(List.of(b1, a2), db.inTransaction(tx -> tx.sweeps().unfinished()).stream()
                .map(idle.db.entity.Sweep::getId).toList());
        idle.db.entity.Sweep done = db.inTransaction(tx -> tx.sweeps().find(a1)).orElseThrow();
        assertEquals(99, done.getFinishedAt());
        assertEquals(1, done.getSucceeded());
        assertFalse(done.isOpen());
    }

    @Test
    void tasksAreListedWithTheirSweepAndLeftOutOfTheOwnJobsHistory() {
        long own = db.inTransaction(tx -> tx.jobs().add(TestDatabases.job("alice", "own.py"))
                .getId());
        long sweep = addSweep("alice", 3);
        long t0 = addTask("alice", sweep, 0, JobState.SUCCEEDED);
        long t1 = addTask("alice", sweep, 1, JobState.FAILED);
        long t2 = addTask("alice", sweep, 2, JobState.QUEUED);
        long other = addSweep("alice", 1);
        addTask("alice", other, 0, JobState.QUEUED);
        assertEquals(List.of(own), db.inTransaction(tx -> tx.jobs().pageOwnJobs("alice", null,
                null, 0, 10)).stream().map(Job::getId).toList());
        assertEquals(List.of(own), db.inTransaction(tx -> tx.jobs().pageOwnJobs(null, null,
                "own", 0, 10)).stream().map(Job::getId).toList());
        List<Job> tasks = db.inTransaction(tx -> tx.jobs().pageOfSweep("alice", sweep, 0, 10));
        assertEquals(List.of(t2, t1, t0), tasks.stream().map(Job::getId).toList());
        assertEquals(List.of(2, 1, 0), tasks.stream().map(Job::getTaskIndex).toList());
        assertEquals(0, tasks.get(0).getScript().length);
        assertEquals(List.of(t0), db.inTransaction(tx -> tx.jobs().pageOfSweep("alice", sweep, t1, 10))
                .stream().map(Job::getId).toList());
        Map<JobState, Long> counts = db.inTransaction(tx -> tx.jobs().countByStateOfSweep(sweep));
        assertEquals(1L, counts.get(JobState.SUCCEEDED));
        assertEquals(1L, counts.get(JobState.FAILED));
        assertEquals(1L, counts.get(JobState.QUEUED));
        assertEquals(0L, counts.get(JobState.LOST));
        // the full history still has them all
        assertEquals(5, db.inTransaction(tx -> tx.jobs().page("alice", null, null, 0, 10)).size());
    }

    // ---- lender records

    private static idle.db.repository.LenderDelta agreed(String user, long n, long cpu, long at) {
        return new idle.db.repository.LenderDelta(user, n, 0, 0, 0, cpu, cpu, 0, at);
    }

    private static idle.db.repository.LenderDelta strike(String user, long agreedAfter, long at) {
        return new idle.db.repository.LenderDelta(user, agreedAfter, 1, 0, 0, 10, 0, agreedAfter,
                at);
    }

    @Test
    void lenderDeltasAddUpAndTheFirstCreatesTheRow() {
        assertTrue(db.inTransaction(tx -> tx.lenders().find("bob")).isEmpty());
        db.useTransaction(tx -> tx.lenders().add(agreed("bob", 2, 1_000, 5)));
        db.useTransaction(tx -> {
            tx.lenders().add(new idle.db.repository.LenderDelta("bob", 0, 0, 1, 3, 700, 300, 0,
                    6));
            tx.lenders().add(agreed("carol", 1, 50, 7));
        });
        idle.db.repository.LenderRecord bob = db.inTransaction(tx -> tx.lenders().find("bob"))
                .orElseThrow();
        assertEquals(new idle.db.repository.LenderRecord("bob", 2, 0, 1, 3, 1_700, 1_300, 0, 2,
                false, 6), bob);
        assertEquals(List.of("bob", "carol"), db.inTransaction(tx -> tx.lenders().all()).stream()
                .map(idle.db.repository.LenderRecord::user).toList());
    }

    @Test
    void aStrikeRestartsTheStreakAndLongStreaksForgiveStrikesLikeTheRecordInMemory() {
        List<idle.db.repository.LenderDelta> deltas = List.of(strike("bob", 0, 1),
                strike("bob", 2, 2), agreed("bob", idle.db.repository.LenderRecord.FORGIVE_EVERY
                        - 2, 0, 3), agreed("bob", 1, 0, 4), strike("bob", 0, 5),
                agreed("bob", 2 * idle.db.repository.LenderRecord.FORGIVE_EVERY, 0, 6));
        idle.db.repository.LenderRecord inMemory = idle.db.repository.LenderRecord.empty("bob");
        for (idle.db.repository.LenderDelta d : deltas) {
            db.useTransaction(tx -> tx.lenders().add(d));
            inMemory = inMemory.plus(d);
            assertEquals(inMemory, db.inTransaction(tx -> tx.lenders().find("bob")).orElseThrow(),
                    "after " + d);
        }
        // 2 strikes, 51 clean (one forgiven), a third: 2; then 100 clean forgive both
        assertEquals(0, inMemory.strikes());
        assertEquals(3, inMemory.disagreed());
        assertEquals(2, inMemory.strikesAtLastStrike());
    }

    @Test
    void suspendingKeepsTheCountsAndWorksForAnAccountThatNeverLent() {
        db.useTransaction(tx -> tx.lenders().add(agreed("bob", 4, 100, 1)));
        db.useTransaction(tx -> {
            tx.lenders().setSuspended("bob", true, 2);
            tx.lenders().setSuspended("eve", true, 3);
        });
        idle.db.repository.LenderRecord bob = db.inTransaction(tx -> tx.lenders().find("bob"))
                .orElseThrow();
        assertTrue(bob.suspended());
        assertEquals(4, bob.agreed());
        assertEquals(2, bob.changedAt());
        assertTrue(db.inTransaction(tx -> tx.lenders().find("eve")).orElseThrow().suspended());
        db.useTransaction(tx -> tx.lenders().add(agreed("bob", 1, 1, 4)));
        assertTrue(db.inTransaction(tx -> tx.lenders().find("bob")).orElseThrow().suspended());
        db.useTransaction(tx -> tx.lenders().setSuspended("bob", false, 5));
        assertFalse(db.inTransaction(tx -> tx.lenders().find("bob")).orElseThrow().suspended());
    }

    @Test
    void aLenderDeltaOfAFailedTransactionIsNotCounted() {
        db.useTransaction(tx -> tx.lenders().add(agreed("bob", 1, 10, 1)));
        assertThrows(IllegalStateException.class, () -> db.useTransaction(tx -> {
            tx.lenders().add(agreed("bob", 5, 10, 2));
            tx.lenders().add(agreed("newcomer", 5, 10, 2));
            throw new IllegalStateException("rolled back");
        }));
        assertEquals(1, db.inTransaction(tx -> tx.lenders().find("bob")).orElseThrow().agreed());
        assertTrue(db.inTransaction(tx -> tx.lenders().find("newcomer")).isEmpty());
    }

    @Test
    void lenderDeltasRefuseNegativeCounts() {
        assertThrows(IllegalArgumentException.class, () -> new idle.db.repository.LenderDelta(
                "bob", 0, 0, 0, 0, -1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new idle.db.repository.LenderDelta(
                "bob", 1, 1, 0, 0, 0, 0, 2, 1));
    }

    @Test
    void manyDeltasInOneTransactionEndAsIfWrittenOneByOne() {
        // a group commit: hundreds of jobs' deltas of a few accounts, strikes among them
        List<idle.db.repository.LenderDelta> deltas = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String user = "lender" + (i % 3);
            deltas.add(i % 97 == 5 ? strike(user, 0, i) : i % 11 == 0
                    ? new idle.db.repository.LenderDelta(user, 0, 0, 1, 1, 7, 3, 0, i)
                    : agreed(user, 1, 10, i));
        }
        db.useTransaction(tx -> {
            tx.lenders().add(agreed("lender0", 60, 0, 0)); // a row before: updated, not inserted
        });
        db.useTransaction(tx -> deltas.forEach(tx.lenders()::add));
        Map<String, idle.db.repository.LenderRecord> expected = new java.util.TreeMap<>();
        expected.put("lender0", idle.db.repository.LenderRecord.empty("lender0")
                .plus(agreed("lender0", 60, 0, 0)));
        for (idle.db.repository.LenderDelta d : deltas) {
            expected.merge(d.user(), idle.db.repository.LenderRecord.empty(d.user()).plus(d),
                    (r, ignored) -> r.plus(d));
        }
        assertEquals(List.copyOf(expected.values()), db.inTransaction(tx -> tx.lenders().all()));
        // lender2's second strike came after more than 50 agreed results: the first was forgiven
        assertEquals(2, expected.get("lender2").disagreed());
        assertEquals(1, expected.get("lender2").strikesAtLastStrike());
    }

    @Test
    void deltasThatCannotBeCombinedExactlyAreRefused() {
        idle.db.repository.LenderDelta agreedOne = agreed("bob", 1, 1, 1);
        idle.db.repository.LenderDelta strikeOne = strike("bob", 0, 2);
        assertFalse(agreedOne.combinesWith(strikeOne));
        assertThrows(IllegalArgumentException.class, () -> agreedOne.then(strikeOne));
        assertTrue(strikeOne.combinesWith(agreedOne));
        assertEquals(1, strikeOne.then(agreedOne).agreedSinceStrike());
    }
}
