package idle.server.dispatch;

import idle.server.ReputationConfig;
import idle.server.reputation.Reputation;

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
import idle.server.relay.Durability;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.StreamKind;
import idle.shared.model.WaitPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        start(adjust, Durability.FSYNC);
    }

    void start(UnaryOperator<ServerConfig> adjust, Durability durability) throws IOException {
        dataDir = Files.createTempDirectory(Path.of("target"), "hostile-dispatch-");
        db = Database.open(DatabaseConfig.inMemory("hostile" + System.nanoTime()));
        writer = new StoreWriter(db, 100);
        ServerConfig config = adjust.apply(ServerConfig.defaults(dataDir).withMaxAttempts(3));
        co = new Coordinator(config, db, writer, new AuditLog(writer),
                Pseudonyms.load(dataDir.resolve("server-secret")), durability,
                Reputation.load(db, writer, ReputationConfig.defaults()));
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

    // ---- hole 14: a hostile lender ----------------------------------------------------------

    /**
     * Hole 14b: a lender that withdrew (WBL, keeping its jobs) and offered itself again (MML) on
     * the same connection used to get a new handle; its running job moved to it, but the job's
     * attempt still named the old one, so the job's FIN was taken for a stale attempt's: it was
     * acknowledged and dropped, and the job stayed RUNNING with the slot taken. Now the lender
     * keeps its handle (with the new offer): the FIN ends the job and frees the slot.
     */
    @Test
    void aJobRunningWhenItsLenderWithdrawsAndOffersItselfAgainEndsAtItsFin() throws Exception {
        start(c -> c);
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("x"));
        accepted(runner, 1);
        FakePeer.Sent exf = lender.takeAny(Message.Execute.class);
        lender.deliver(exf.id(), new Message.Success(new Result.Empty()));
        co.withdraw(lender, 2, false);
        lender.take(2, Message.Success.class);
        co.makeLender(lender, 3, caps(2, 4));
        lender.take(3, Message.Success.class);
        assertTrue(co.lenderLines().get(0).contains("1/2 running"), co.lenderLines().get(0));

        CoordinatorTest.fin(lender, exf.id(), (Message.Execute) exf.m(),
                new JobOutcome.Succeeded());
        lender.take(exf.id(), Message.Success.class);
        assertEquals(JobState.SUCCEEDED, CoordinatorTest.end(CoordinatorTest.untilTerminal(
                runner, 1)).state());
        assertTrue(CoordinatorTest.until(() -> co.pool().freeSlots() == 2), "both slots free");
    }

    /**
     * Hole 14d: a lender's refusal of an EXF (its FLD reason) becomes the queued job's reason.
     * Bidi overrides, escapes and newlines are taken out and a 10,000-character reason is cut.
     */
    @Test
    void aLendersRefusalReasonIsStoredCleanAndShort() throws Exception {
        start(c -> c);
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("x"));
        accepted(runner, 1);
        FakePeer.Sent exf = lender.takeAny(Message.Execute.class);
        co.availability(lender, 2, false, "so the job stays queued after the refusal");
        lender.take(2, Message.Success.class);
        lender.deliver(exf.id(), new Message.Failure(FailureKind.INTERNAL,
                "\u202eevil\u001b[31m\nline\u0085two" + "x".repeat(10_000)));
        String reason = null;
        while (reason == null) {
            if (runner.take(s -> s.id() == 1).m() instanceof Message.JobEvent e
                    && e.job().state() == JobState.QUEUED) {
                reason = e.job().reason();
            }
        }
        assertTrue(reason.contains("evil[31m line two"), reason);
        assertTrue(reason.length() < 700, reason.length() + " characters");
        for (char c : reason.toCharArray()) {
            assertTrue(c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) && c != '\u202e',
                    "character " + (int) c + " in " + reason);
        }
    }

    /**
     * Hole 14c: output files and the output were not forced to disk before the job's end was
     * written, so a crash after the runner saw SUCCEEDED could lose them. Now each file is forced
     * (then renamed, then its directories forced) before its EOF is answered, and the output
     * before FIN is handed on: every force happens while the job's row still says RUNNING. The
     * spool is forced in the background while chunks arrive (a few times at most), so that FIN
     * finds it on disk and its own force has nothing left to do; what the guarantee needs is that
     * the spool's every byte was forced before the end was written, by whichever force.
     */
    @Test
    void outputIsOnDiskBeforeTheJobsEndIsWritten() throws Exception {
        List<String> forced = java.util.Collections.synchronizedList(new ArrayList<>());
        /** The size of each file forced, when it was forced. */
        List<Long> forcedSizes = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicLong jobId = new java.util.concurrent.atomic.AtomicLong();
        Durability watched = new Durability() {
            @Override
            public void force(java.nio.channels.FileChannel file) throws IOException {
                long size = file.size();
                Durability.FSYNC.force(file);
                forced.add("file while " + state());
                forcedSizes.add(size);
            }

            @Override
            public void forceDirectory(Path dir) throws IOException {
                Durability.FSYNC.forceDirectory(dir);
                forced.add(dataDir.relativize(dir) + " while " + state());
            }

            private JobState state() {
                return db.inTransaction(tx -> tx.jobs().find(jobId.get())).orElseThrow()
                        .getState();
            }
        };
        start(c -> c, watched);
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("x"));
        jobId.set(accepted(runner, 1).jobId());
        FakePeer.Sent sent = lender.takeAny(Message.Execute.class);
        int s = sent.id();
        long id = jobId.get();
        lender.deliver(s, new Message.Success(new Result.Empty()));
        lender.deliver(s, new Message.Output(id, 0, StreamKind.STDOUT, new byte[] {'h', '\n'}));
        lender.take(s, Message.Ack.class);
        // the first chunk's spool is forced once in the background (so that a short job's FIN
        // finds it on disk); no later chunk is
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (forced.isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // poll
        }
        assertEquals(List.of("file while RUNNING"), forced, "the first chunk, in the background");
        Path spool = dataDir.resolve("spool/" + id + "/output");
        lender.deliver(s, new Message.Output(id, 1, StreamKind.STDOUT, new byte[] {'i', '\n'}));
        lender.take(s, Message.Ack.class);
        // the chunk that came after the first force is forced in the background too
        long both = Files.size(spool);
        while (!forcedSizes.contains(both) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // poll
        }
        assertEquals(List.of("file while RUNNING", "file while RUNNING"), forced,
                "the second chunk, in the background");
        assertTrue(forcedSizes.contains(both), "the whole spool forced: " + forcedSizes);
        forced.clear();
        byte[] data = "42\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sha = idle.shared.protocol.Sha256.hex(data);
        lender.deliver(s, new Message.TakeOutputFile(id, "res/out.txt", data.length, sha));
        lender.take(s, Message.Success.class);
        lender.deliver(s, new Message.FileData(id, 0, data));
        lender.take(s, Message.Ack.class);
        assertEquals(List.of(), forced, "nothing is forced before EOF");
        lender.deliver(s, new Message.EndOfFile(id, "res/out.txt", data.length, sha));
        lender.take(s, Message.Success.class);
        String files = "spool/" + id + "/files";
        assertEquals(List.of("file while RUNNING", files + "/res while RUNNING",
                files + " while RUNNING", "spool/" + id + " while RUNNING", "spool while RUNNING"),
                forced, "the file, then its directory, then those above it, before EOF's SCF");

        forced.clear();
        CoordinatorTest.fin(lender, s, (Message.Execute) sent.m(), new JobOutcome.Succeeded());
        assertEquals(List.of(), forced, "the output was on disk already: FIN forces nothing");
        assertEquals(JobState.SUCCEEDED, CoordinatorTest.end(CoordinatorTest.untilTerminal(
                runner, 1)).state());
        assertEquals(both, Files.size(spool), "no output came after the forces");
        assertEquals(data.length, Files.size(dataDir.resolve(files).resolve("res/out.txt")));
    }

    /**
     * Background forces are bounded across the server ({@link EarlyForces}): with both slots
     * held by two jobs' forces that do not return, a third job printing starts none, and still
     * ends with its output forced, by its FIN, before its end is written.
     */
    @Test
    void earlyForcesAreBoundedAcrossTheServerAndFinStillForces() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger early = new AtomicInteger();
        AtomicInteger atFin = new AtomicInteger();
        Durability held = new Durability() {
            @Override
            public void force(java.nio.channels.FileChannel file) throws IOException {
                if (Thread.currentThread().getName().startsWith("idle-spool-force-")) {
                    early.incrementAndGet();
                    try {
                        release.await(FakePeer.WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else {
                    atFin.incrementAndGet();
                }
                Durability.FSYNC.force(file);
            }

            @Override
            public void forceDirectory(Path dir) throws IOException {
                Durability.FSYNC.forceDirectory(dir);
            }
        };
        start(c -> c, held);
        try {
            FakePeer runner = peer("alice");
            List<FakePeer> lenders = List.of(lender("lender1", 1), lender("lender2", 1),
                    lender("lender3", 1));
            List<FakePeer.Sent> exfs = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                co.submit(runner, n, rcs("x" + n));
                accepted(runner, n);
            }
            for (int i = 0; i < 3; i++) {
                FakePeer lender = lenders.get(i);
                FakePeer.Sent sent = lender.takeAny(Message.Execute.class);
                exfs.add(sent);
                long id = ((Message.Execute) sent.m()).jobId();
                lender.deliver(sent.id(), new Message.Success(new Result.Empty()));
                lender.deliver(sent.id(), new Message.Output(id, 0, StreamKind.STDOUT,
                        new byte[] {'h', '\n'}));
                lender.take(sent.id(), Message.Ack.class);
                if (i == 1) {
                    assertTrue(CoordinatorTest.until(() -> early.get() == 2),
                            "two early forces started: " + early.get());
                }
            }
            assertTrue(CoordinatorTest.until(() -> co.earlyForces().skipped() == 1),
                    "the third job's early force is skipped");
            FakePeer.Sent third = exfs.get(2);
            CoordinatorTest.fin(lenders.get(2), third.id(), (Message.Execute) third.m(),
                    new JobOutcome.Succeeded());
            long thirdId = ((Message.Execute) third.m()).jobId();
            assertTrue(CoordinatorTest.until(() -> db.inTransaction(tx -> tx.jobs()
                    .find(thirdId)).orElseThrow().getState() == JobState.SUCCEEDED),
                    "the third job ends while both early forces are held");
            assertEquals(2, early.get(), "the third job started no early force");
            assertEquals(1, atFin.get(), "its FIN forced its spool");
            release.countDown();
            for (int i = 0; i < 2; i++) {
                CoordinatorTest.fin(lenders.get(i), exfs.get(i).id(),
                        (Message.Execute) exfs.get(i).m(), new JobOutcome.Succeeded());
            }
            for (int n = 1; n <= 3; n++) {
                assertEquals(JobState.SUCCEEDED, CoordinatorTest.end(
                        CoordinatorTest.untilTerminal(runner, n)).state());
            }
        } finally {
            release.countDown();
        }
    }

    /**
     * Hole 14a: a lender told to stop a job over the server's output limit (CAN) that never
     * does no longer holds the job up: after the grace (the heartbeat timeout, 1 s here) it ends
     * LIMIT_EXCEEDED without it; the lender keeps its slot until it ends the attempt.
     */
    @Test
    void aJobOverTheOutputLimitEndsEvenIfItsLenderIgnoresTheStop() throws Exception {
        start(c -> c.withMaxOutputBytes(1024).withHeartbeatTimeout(Duration.ofSeconds(1)));
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("x"));
        long id = accepted(runner, 1).jobId();
        FakePeer.Sent sent = lender.takeAny(Message.Execute.class);
        lender.deliver(sent.id(), new Message.Success(new Result.Empty()));
        lender.deliver(sent.id(), new Message.Output(id, 0, StreamKind.STDOUT, new byte[2000]));
        assertEquals(id, ((Message.Cancel) lender.takeAny(Message.Cancel.class).m()).jobId());
        for (int seq = 1; seq < 50; seq++) {
            lender.deliver(sent.id(), new Message.Output(id, seq, StreamKind.STDOUT,
                    new byte[0]));
        }
        JobSummary end = CoordinatorTest.end(CoordinatorTest.untilTerminal(runner, 1));
        assertEquals(JobState.LIMIT_EXCEEDED, end.state());
        assertTrue(end.reason().contains("did not stop it within 1 s"), end.reason());
        assertEquals(0, co.pool().freeSlots(), "the lender may still run it");
        CoordinatorTest.fin(lender, sent.id(), (Message.Execute) sent.m(),
                new JobOutcome.Cancelled());
        assertTrue(CoordinatorTest.until(() -> co.pool().freeSlots() == 1), "slot freed at FIN");
    }

    /**
     * A lender's refusals: each gives the job back without costing it an attempt; the third in
     * a row benches the lender (the job waits, queued); offering itself again lifts the bench and
     * the job runs there in its first counted attempt.
     */
    @Test
    void aLenderBenchedForRefusalsGetsJobsAgainOnceItOffersItselfAgain() throws Exception {
        start(c -> c);
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("x"));
        long id = accepted(runner, 1).jobId();
        for (int i = 0; i < LenderHandle.REFUSALS_TO_BENCH; i++) {
            FakePeer.Sent exf = lender.takeAny(Message.Execute.class);
            assertEquals(1, ((Message.Execute) exf.m()).attempt(), "the refusals did not count");
            lender.deliver(exf.id(), new Message.Failure(FailureKind.INTERNAL, "no"));
        }
        assertTrue(CoordinatorTest.until(() -> co.lenderLines().get(0).contains("benched")));
        assertEquals(new idle.shared.model.PoolStatus(1, 0, 1, 0), co.pool(),
                "the job waits; the benched lender has no free slot");
        assertEquals(0, co.detail("alice", false, id).orElseThrow().summary().attempts());

        co.withdraw(lender, 2, false);
        lender.take(2, Message.Success.class);
        co.makeLender(lender, 3, caps(1, 4));
        lender.take(3, Message.Success.class);
        FakePeer.Sent exf = lender.takeAny(Message.Execute.class);
        lender.deliver(exf.id(), new Message.Success(new Result.Empty()));
        CoordinatorTest.fin(lender, exf.id(), (Message.Execute) exf.m(),
                new JobOutcome.Succeeded());
        JobSummary end = CoordinatorTest.end(CoordinatorTest.untilTerminal(runner, 1));
        assertEquals(JobState.SUCCEEDED, end.state());
        assertEquals(1, end.attempts());
    }
}
