package idle.server.dispatch;

import idle.server.ReputationConfig;
import idle.server.reputation.Reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.server.ServerConfig;
import idle.server.audit.AuditLog;
import idle.server.auth.Pseudonyms;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator through its seam, {@link idle.server.peer.Peer}: recording fake peers instead
 * of connections (no sockets, no threads of ours), with the real store writer on a real
 * in-memory Derby. Fast checks of the job life next to the end-to-end tests in
 * {@code idle.server}.
 */
@Timeout(60)
class CoordinatorTest {
    Path dataDir;
    Database db;
    StoreWriter writer;
    Coordinator co;
    final List<FakePeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("target"), "coordinator-");
        db = Database.open(DatabaseConfig.inMemory("coordinator" + System.nanoTime()));
        writer = new StoreWriter(db, 100);
        ServerConfig config = ServerConfig.defaults(dataDir).withMaxAttempts(2);
        co = new Coordinator(config, db, writer, new AuditLog(writer),
                Pseudonyms.load(dataDir.resolve("server-secret")),
                Reputation.load(db, writer, ReputationConfig.defaults()));
        co.recover();
    }

    @AfterEach
    void stop() {
        co.stop();
        for (FakePeer p : peers) {
            p.disconnect();
        }
        writer.close();
        db.close();
    }

    FakePeer peer(String user) {
        FakePeer p = new FakePeer(user);
        peers.add(p);
        return p;
    }

    static LenderCapabilities caps(int slots, int cores) {
        return new LenderCapabilities("3.11.2", cores, 8192, slots, 60, 1024, 600, 64, "fake",
                false);
    }

    FakePeer lender(String user, int slots) {
        FakePeer p = peer(user);
        co.makeLender(p, 1, caps(slots, 4));
        p.take(1, Message.Success.class);
        return p;
    }

    static Message.RunScript rcs(String text, List<InputFile> inputs, JobNeeds needs,
            WaitPolicy wait) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new Message.RunScript("job.py", b, Sha256.hex(b), List.of("a1"), inputs, needs,
                wait);
    }

    static Message.RunScript rcs(String text) {
        return rcs(text, List.of(), JobNeeds.NONE, WaitPolicy.QUEUE);
    }

    static InputFile input(String name, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new InputFile(name, b, Sha256.hex(b));
    }

    /** Submits as request {@code n}; returns what the runner was told first on {@code n}. */
    static Result.JobAccepted accepted(FakePeer runner, int n) {
        Message m = runner.take(s -> s.id() == n).m();
        return (Result.JobAccepted) assertInstanceOf(Message.Success.class, m, "RCS got " + m)
                .result();
    }

    /** The runner's subscription {@code n} up to its terminal JST. */
    static List<Message> untilTerminal(FakePeer runner, int n) {
        List<Message> out = new ArrayList<>();
        while (true) {
            Message m = runner.take(s -> s.id() == n).m();
            out.add(m);
            if (m instanceof Message.JobEvent e && e.job().state().isTerminal()) {
                return out;
            }
        }
    }

    static JobSummary end(List<Message> ms) {
        return ((Message.JobEvent) ms.get(ms.size() - 1)).job();
    }

    static void fin(FakePeer lender, int s, Message.Execute exf, JobOutcome outcome) {
        lender.deliver(s, new Message.Finished(exf.jobId(), exf.attempt(), outcome,
                new ResourceUse(5, 7, 0, 0)));
    }

    /** Polls {@code cond} until it holds or {@link FakePeer#WAIT} passed. */
    static boolean until(java.util.function.BooleanSupplier cond) {
        long deadline = System.nanoTime() + FakePeer.WAIT.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    // ---- the job's life ---------------------------------------------------------------------

    @Test
    void aJobRunsFromSubmissionToFinAndEachSideHearsItInOrder() {
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 7, rcs("print('hello')"));
        FakePeer.Sent scf = runner.take(s -> s.id() == 7);
        Result.JobAccepted a = (Result.JobAccepted) assertInstanceOf(Message.Success.class,
                scf.m()).result();
        assertEquals(JobState.RUNNING, a.state(), "a free lender takes it at once");
        FakePeer.Sent sent = lender.takeAny(Message.Execute.class);
        // a job given a free lender at once gets its EXF while its insert commits; the runner's
        // SCF waits for the commit (EarlyExfTest: what the lender says meanwhile waits too)
        assertTrue(sent.seq() < scf.seq(), "EXF to the lender before SCF to the runner");
        Message.Execute exf = (Message.Execute) sent.m();
        int s = sent.id();
        assertTrue(s < 0, "a server-side exchange");
        assertEquals(a.jobId(), exf.jobId());
        assertEquals(1, exf.attempt());
        assertEquals(List.of("a1"), exf.args());

        lender.deliver(s, new Message.Success(new Result.Empty()));
        byte[] out = "hello\n".getBytes(StandardCharsets.UTF_8);
        lender.deliver(s, new Message.Output(a.jobId(), 0, StreamKind.STDOUT, out));
        assertEquals(0, lender.take(s, Message.Ack.class).seq());
        fin(lender, s, exf, new JobOutcome.Succeeded());
        lender.take(s, Message.Success.class); // FIN answered once the end is durable

        List<Message> ms = untilTerminal(runner, 7);
        JobSummary done = end(ms);
        assertEquals(JobState.SUCCEEDED, done.state());
        assertEquals(0, done.exitCode());
        assertEquals(out.length, done.outputBytes());
        int outAt = -1;
        for (int i = 0; i < ms.size(); i++) {
            if (ms.get(i) instanceof Message.Output o) {
                assertEquals("hello\n", new String(o.data(), StandardCharsets.UTF_8));
                outAt = i;
            }
        }
        assertTrue(outAt >= 0 && outAt < ms.size() - 1, "OUT before the terminal JST: " + ms);
        var detail = co.detail("alice", false, a.jobId()).orElseThrow();
        assertEquals(Sha256.hex(out), detail.outputSha256());
        assertEquals(1, co.pool().freeSlots(), "the slot is free again");
        assertTrue(co.detail("bob", false, a.jobId()).isEmpty(), "another runner sees nothing");
    }

    @Test
    void nlaWhenNobodyLendsWhenNobodyMeetsTheNeedsAndWhenAllAreBusyOnRequest()
            throws IOException {
        FakePeer runner = peer("alice");
        List<InputFile> in = List.of(input("data.csv", "1,2\n"));
        co.submit(runner, 1, rcs("x", in, JobNeeds.NONE, WaitPolicy.QUEUE));
        assertTrue(runner.take(1, Message.NoLenders.class).reason().contains("nobody is lending"));

        lender("lender1", 1);
        co.submit(runner, 2, rcs("x", in, new JobNeeds("3.99", 0, 0), WaitPolicy.QUEUE));
        String needs = runner.take(2, Message.NoLenders.class).reason();
        assertTrue(needs.contains("needs") && needs.contains("3.99"), needs);

        co.submit(runner, 3, rcs("x"));
        assertEquals(JobState.RUNNING, accepted(runner, 3).state());
        co.submit(runner, 4, rcs("x", in, JobNeeds.NONE, WaitPolicy.NLA_IF_BUSY));
        assertTrue(runner.take(4, Message.NoLenders.class).reason().contains("busy"));
        co.submit(runner, 5, rcs("x", in, JobNeeds.NONE, WaitPolicy.QUEUE));
        Result.JobAccepted queued = accepted(runner, 5);
        assertEquals(JobState.QUEUED, queued.state());
        assertEquals(Reasons.WAITING, queued.note());

        assertEquals(2, co.activeJobs());
        Path staging = dataDir.resolve("inputs").resolve(".staging");
        try (Stream<Path> left = Files.list(staging)) {
            assertEquals(0, left.count(), "refused jobs leave no input files behind");
        }
        assertTrue(Files.isRegularFile(dataDir.resolve("inputs")
                .resolve(Long.toString(queued.jobId())).resolve("data.csv")),
                "the accepted job's inputs are in its directory");
    }

    @Test
    void aQueuedJobCancelledEndsAtOnceAndNeverReachesALender() {
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("first"));
        Result.JobAccepted first = accepted(runner, 1);
        FakePeer.Sent exf1 = lender.takeAny(Message.Execute.class);
        co.submit(runner, 2, rcs("second"));
        Result.JobAccepted second = accepted(runner, 2);
        assertEquals(JobState.QUEUED, second.state());

        co.cancel(runner, 3, second.jobId());
        runner.take(3, Message.Success.class);
        JobSummary end = end(untilTerminal(runner, 2));
        assertEquals(JobState.CANCELLED, end.state());
        assertEquals(Reasons.CANCELLED_BEFORE_RUN, end.reason());

        fin(lender, exf1.id(), (Message.Execute) exf1.m(), new JobOutcome.Succeeded());
        assertEquals(JobState.SUCCEEDED, end(untilTerminal(runner, 1)).state());
        co.submit(runner, 4, rcs("third"));
        long third = accepted(runner, 4).jobId();
        assertEquals(third, ((Message.Execute) lender.takeAny(Message.Execute.class).m()).jobId(),
                "the next EXF is the third job's: the cancelled one never ran");
        assertTrue(first.jobId() < second.jobId() && second.jobId() < third);

        co.cancel(runner, 5, second.jobId());
        assertEquals(FailureKind.WRONG_STATE, runner.take(5, Message.Failure.class).kind());
        co.cancel(peer("bob"), 6, third);
        assertEquals(FailureKind.NOT_FOUND, peers.get(peers.size() - 1)
                .take(6, Message.Failure.class).kind(), "another runner's job is not found");
    }

    @Test
    void aRunningJobCancelledIsKilledByItsLenderAndTheSlotFreed() {
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("wait"));
        long job = accepted(runner, 1).jobId();
        FakePeer.Sent sent = lender.takeAny(Message.Execute.class);
        lender.deliver(sent.id(), new Message.Success(new Result.Empty()));

        co.cancel(runner, 2, job);
        runner.take(2, Message.Success.class);
        assertEquals(job, lender.takeAny(Message.Cancel.class).m() instanceof Message.Cancel c
                ? c.jobId() : -1, "CAN to the lender");
        assertEquals(0, co.pool().freeSlots(), "the slot is taken until the lender ends it");
        fin(lender, sent.id(), (Message.Execute) sent.m(), new JobOutcome.Cancelled());
        JobSummary end = end(untilTerminal(runner, 1));
        assertEquals(JobState.CANCELLED, end.state());
        assertEquals(Reasons.CANCELLED, end.reason());
        lender.take(sent.id(), Message.Success.class);
        assertEquals(1, co.pool().freeSlots());
    }

    @Test
    void aJobWhoseLendersVanishIsRequeuedThenLostAfterTheLastAttempt() {
        FakePeer runner = peer("alice");
        FakePeer l1 = lender("lender1", 1);
        co.submit(runner, 1, rcs("x"));
        long job = accepted(runner, 1).jobId();
        assertEquals(1, ((Message.Execute) l1.takeAny(Message.Execute.class).m()).attempt());
        l1.disconnect();
        co.peerGone(l1);
        JobSummary requeued = null;
        while (requeued == null) {
            if (runner.take(s -> s.id() == 1).m() instanceof Message.JobEvent e
                    && e.job().state() == JobState.QUEUED) {
                requeued = e.job();
            }
        }
        assertEquals(Reasons.requeued(Reasons.LENDER_DISCONNECTED, 1, 2), requeued.reason());

        FakePeer l2 = lender("lender2", 1);
        Message.Execute again = (Message.Execute) l2.takeAny(Message.Execute.class).m();
        assertEquals(job, again.jobId());
        assertEquals(2, again.attempt());
        l2.disconnect();
        co.peerGone(l2);
        JobSummary end = end(untilTerminal(runner, 1));
        assertEquals(JobState.LOST, end.state());
        assertEquals(Reasons.gaveUp(Reasons.LENDER_DISCONNECTED, 2), end.reason());
        assertEquals(2, end.attempts());
        assertTrue(until(() -> co.activeJobs() == 0), "no longer active once its end committed");
    }

    // ---- failures after a job was given to a lender (issue 11, hole 1) ----------------------

    @Test
    void aSendPathThatThrowsEndsTheAttemptWithAReasonAndFreesTheSlot() {
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        lender.failSends = new IllegalStateException("the send path broke");
        co.submit(runner, 1, rcs("x"));
        assertEquals(JobState.RUNNING, accepted(runner, 1).state());
        JobSummary end = end(untilTerminal(runner, 1));
        assertEquals(JobState.FAILED, end.state());
        assertTrue(end.reason().contains("could not send it to a lender")
                && end.reason().contains("the send path broke"), end.reason());
        assertEquals(1, co.pool().freeSlots(), "the slot is free again");

        lender.failSends = null;
        co.submit(runner, 2, rcs("y"));
        long next = accepted(runner, 2).jobId();
        assertEquals(next, ((Message.Execute) lender.takeAny(Message.Execute.class).m()).jobId(),
                "the same slot runs the next job");
    }

    @Test
    void aLenderFoundGoneWhenItsExfIsSentGivesTheJobBackToTheQueue() {
        FakePeer l1 = lender("lender1", 1);
        FakePeer runner = peer("alice");
        l1.dieSilently();
        co.submit(runner, 1, rcs("x"));
        long job = accepted(runner, 1).jobId();
        JobSummary back = null;
        while (back == null) {
            if (runner.take(s -> s.id() == 1).m() instanceof Message.JobEvent e
                    && e.job().state() == JobState.QUEUED) {
                back = e.job();
            }
        }
        assertEquals(Reasons.requeued(Reasons.LENDER_DISCONNECTED, 1, 2), back.reason(),
                "re-queued at once, before the dead connection's session ended");
        co.peerGone(l1); // changes nothing more
        FakePeer l2 = lender("lender2", 1);
        Message.Execute exf = (Message.Execute) l2.takeAny(Message.Execute.class).m();
        assertEquals(job, exf.jobId());
        assertEquals(2, exf.attempt());
    }

    @Test
    void aJobWhoseInputsVanishedFailsWithAReasonAndTheSlotRunsTheNext() throws IOException {
        FakePeer lender = lender("lender1", 1);
        FakePeer runner = peer("alice");
        co.submit(runner, 1, rcs("busy"));
        FakePeer.Sent busy = lender.takeAny(Message.Execute.class);
        co.submit(runner, 2, rcs("x", List.of(input("data.csv", "1\n")), JobNeeds.NONE,
                WaitPolicy.QUEUE));
        long doomed = accepted(runner, 2).jobId();
        Files.delete(dataDir.resolve("inputs").resolve(Long.toString(doomed))
                .resolve("data.csv"));
        fin(lender, busy.id(), (Message.Execute) busy.m(), new JobOutcome.Succeeded());
        JobSummary end = end(untilTerminal(runner, 2));
        assertEquals(JobState.FAILED, end.state());
        assertEquals(Reasons.inputsLost("input file data.csv is missing"), end.reason(),
                "the runner is told which file, not the server's paths");
        co.submit(runner, 3, rcs("z"));
        long next = accepted(runner, 3).jobId();
        assertEquals(next, ((Message.Execute) lender.takeAny(Message.Execute.class).m()).jobId());
    }

    // ---- a lender's claims (issue 11, hole 8) -----------------------------------------------

    @Test
    void aLenderGetsNoMoreJobsThanItsCoresWhateverItClaims() {
        FakePeer greedy = peer("lender1");
        co.makeLender(greedy, 1, caps(Integer.MAX_VALUE, 2));
        greedy.take(1, Message.Success.class);
        assertTrue(co.lenderLines().get(0).contains("0/2 running"), co.lenderLines().get(0));
        FakePeer runner = peer("alice");
        for (int n = 1; n <= 3; n++) {
            co.submit(runner, n, rcs("x" + n));
        }
        assertEquals(JobState.RUNNING, accepted(runner, 1).state());
        assertEquals(JobState.RUNNING, accepted(runner, 2).state());
        assertEquals(JobState.QUEUED, accepted(runner, 3).state(), "2 cores: 2 jobs at once");
        assertEquals(new idle.shared.model.PoolStatus(1, 0, 1, 2), co.pool());
        assertEquals(2, LenderHandle.slotsFor(caps(Integer.MAX_VALUE, Integer.MAX_VALUE), 2),
                "the server's bound when the cores claimed are absurd too");
        assertEquals(1, LenderHandle.slotsFor(caps(8, -5), 16), "at least one slot");
    }

    @Test
    void jobsGoToTheLeastLoadedLender() {
        FakePeer big = peer("lender1");
        co.makeLender(big, 1, caps(8, 8));
        big.take(1, Message.Success.class);
        FakePeer small = lender("lender2", 2);
        FakePeer runner = peer("alice");
        for (int n = 1; n <= 5; n++) {
            co.submit(runner, n, rcs("x" + n));
            accepted(runner, n);
        }
        // 8 and 2 slots: job 1 to big (tie, more free), 2 to small (0/2 < 1/8), then big until
        // it is as loaded as small (4/8 = 1/2)
        assertTrue(until(() -> executes(big) + executes(small) == 5));
        int toBig = executes(big);
        int toSmall = executes(small);
        assertEquals(5, toBig + toSmall);
        assertEquals(1, toSmall, "a 2-slot lender at half load is not given more while an 8-slot "
                + "one is less loaded: big " + toBig + ", small " + toSmall);
    }

    static int executes(FakePeer p) {
        int n = 0;
        for (FakePeer.Sent s : p.pending()) {
            n += s.m() instanceof Message.Execute ? 1 : 0;
        }
        return n;
    }
}
