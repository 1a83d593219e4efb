package idle.server.dispatch;

import static idle.server.dispatch.CoordinatorTest.accepted;
import static idle.server.dispatch.CoordinatorTest.caps;
import static idle.server.dispatch.CoordinatorTest.rcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.db.entity.Job;
import idle.server.DispatchLimits;
import idle.server.ServerConfig;
import idle.server.audit.AuditLog;
import idle.server.auth.Pseudonyms;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.model.FailureKind;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.WaitPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11's holes in the job service, through its seam with fake peers on a real in-memory
 * Derby and store writer (as {@link CoordinatorTest}), each test with the configuration it needs.
 * The end-to-end side of the same holes is in {@code idle.server.ServerHostile*Test}.
 */
@Timeout(60)
class HostileDispatchTest {
    Path dataDir;
    Database db;
    StoreWriter writer;
    Coordinator co;
    final List<FakePeer> peers = new ArrayList<>();

    void start(UnaryOperator<ServerConfig> adjust) throws IOException {
        dataDir = Files.createTempDirectory(Path.of("target"), "hostile-dispatch-");
        db = Database.open(DatabaseConfig.inMemory("hostile" + System.nanoTime()));
        writer = new StoreWriter(db, 100);
        ServerConfig config = adjust.apply(ServerConfig.defaults(dataDir).withMaxAttempts(3));
        co = new Coordinator(config, db, writer, new AuditLog(writer),
                Pseudonyms.load(dataDir.resolve("server-secret")));
        co.recover();
    }

    @AfterEach
    void stop() {
        if (co != null) {
            co.stop();
        }
        for (FakePeer p : peers) {
            p.disconnect();
        }
        if (writer != null) {
            writer.close();
            db.close();
        }
    }

    FakePeer peer(String user) {
        FakePeer p = new FakePeer(user);
        synchronized (peers) {
            peers.add(p);
        }
        return p;
    }

    FakePeer lender(String user, int slots) {
        FakePeer p = peer(user);
        co.makeLender(p, 1, caps(slots, 4));
        p.take(1, Message.Success.class);
        return p;
    }

    // ---- hole 9: queued jobs -----------------------------------------------------------------

    /**
     * Hole 9b: the place a job takes in its owner's limit is taken under the lock at the door,
     * so 40 submissions racing from 8 connections of one account with a limit of 5 get exactly
     * 5 accepted and 35 FLD{LIMIT}.
     */
    @Test
    void parallelSubmissionsNeverOvershootTheQueueLimit() throws Exception {
        start(c -> c.withDispatch(DispatchLimits.defaults().withMaxQueuedPerUser(5)));
        lender("lender1", 1);
        int threads = 8;
        int each = 5;
        List<FakePeer> runners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            runners.add(peer("alice"));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (FakePeer r : runners) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int n = 1; n <= each; n++) {
                    co.submit(r, n, rcs("x" + n));
                }
            }));
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        int ok = 0;
        int limited = 0;
        for (FakePeer r : runners) {
            for (int n = 1; n <= each; n++) {
                int id = n;
                Message m = r.take(s -> s.id() == id && (s.m() instanceof Message.Success
                        || s.m() instanceof Message.Failure)).m();
                if (m instanceof Message.Failure f) {
                    assertEquals(FailureKind.LIMIT, f.kind());
                    assertEquals("you have 5 jobs queued or running; the limit is 5",
                            f.reason());
                    limited++;
                } else {
                    ok++;
                }
            }
        }
        assertEquals(5, ok, "accepted");
        assertEquals(threads * each - 5, limited);
        assertEquals(5, co.history("alice", null, null, 0, 100).jobs().size(),
                "only the accepted ones are stored");
    }

    /**
     * Hole 9b: a job given up at the door after its place was taken (NLA: all lenders busy and
     * the runner asked not to wait) gives the place back, and so does a job cancelled while
     * queued once its end committed.
     */
    @Test
    void aRefusedOrCancelledJobGivesItsPlaceBack() throws Exception {
        start(c -> c.withDispatch(DispatchLimits.defaults().withMaxQueuedPerUser(2)));
        lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("busy"));
        assertEquals(JobState.RUNNING, accepted(runner, 1).state());
        for (int n = 2; n <= 4; n++) {
            co.submit(runner, n, rcs("x", List.of(), JobNeeds.NONE, WaitPolicy.NLA_IF_BUSY));
            runner.take(n, Message.NoLenders.class);
        }
        co.submit(runner, 5, rcs("queued"));
        long queued = accepted(runner, 5).jobId();
        co.submit(runner, 6, rcs("over"));
        assertEquals(FailureKind.LIMIT, runner.take(6, Message.Failure.class).kind());
        co.cancel(runner, 7, queued);
        runner.take(7, Message.Success.class);
        assertTrue(CoordinatorTest.until(() -> !co.isActive(queued)));
        co.submit(runner, 8, rcs("again"));
        assertEquals(JobState.QUEUED, accepted(runner, 8).state(), "the place is free again");
    }

    /** Hole 9a: the script cache keeps no more than its bound, and a script out of it is read back. */
    @Test
    void theScriptCacheIsBoundedAndScriptsOutOfItAreReadFromTheDatabase() throws Exception {
        start(c -> c);
        Scripts scripts = new Scripts(db, 100);
        long[] ids = new long[3];
        for (int i = 0; i < 3; i++) {
            byte[] b = new byte[40];
            Arrays.fill(b, (byte) ('a' + i));
            Job j = new Job("alice", "s.py", "sha", b, List.of(), List.of(), JobNeeds.NONE, 1);
            ids[i] = db.inTransaction(tx -> tx.jobs().add(j).getId());
            scripts.remember(ids[i], b);
        }
        assertEquals(80, scripts.cachedBytes(), "the third did not fit in 100 bytes");
        assertEquals('a', scripts.takeCached(ids[0])[0]);
        assertEquals(40, scripts.cachedBytes());
        assertNull(scripts.takeCached(ids[2]), "never admitted");
        assertEquals('c', scripts.take(ids[2])[0], "read back from the database");
        scripts.forget(ids[1]);
        assertEquals(0, scripts.cachedBytes());
        assertEquals('b', scripts.take(ids[1])[39]);
        IOException e = assertThrows(IOException.class, () -> scripts.take(999_999));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }
}
