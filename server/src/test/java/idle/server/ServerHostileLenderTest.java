package idle.server;

import static idle.server.ServerProtocolTest.last;
import static idle.server.ServerProtocolTest.script;
import static idle.server.ServerProtocolTest.submit;
import static idle.server.ServerProtocolTest.untilTerminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.Limit;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11: what a hostile lender could do to the server and to the runners whose jobs it runs,
 * each shown closed through the real server, real sockets and raw protocol peers.
 */
@Timeout(120)
class ServerHostileLenderTest {
    static final Duration WAIT = RawClient.WAIT;
    IdleServer server;
    Path dataDir;
    RawClient runner;

    void start(UnaryOperator<ServerConfig> adjust) throws Exception {
        dataDir = TestDirs.fresh("hostile-lender");
        server = IdleServer.start(adjust.apply(ServerConfig.defaults(dataDir).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false)));
        server.accounts().addUser("alice", "pw-alice".toCharArray(), false);
        server.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
        server.accounts().addUser("lender2", "pw-l2".toCharArray(), false);
        runner = RawClient.connect(server);
        runner.loginOk("alice", "pw-alice");
    }

    @AfterEach
    void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
        if (server != null) {
            server.close();
            TestDirs.delete(dataDir);
        }
    }

    /** A logged-in raw lender connection that offered itself with MML (1 slot). */
    RawClient rawLender() throws Exception {
        RawClient c = RawClient.connect(server);
        c.loginOk("lender1", "pw-l1");
        c.requestOk(new Message.MakeLender(RawLender.caps(1)), Result.Text.class);
        return c;
    }

    /**
     * Hole 14a: an OUT chunk with no data cost the server an index entry and a spool record but
     * nothing against the output limit, so a lender sending empty chunks without end grew both
     * without bound. Now each chunk counts its bytes plus an overhead: a lender sending up to a
     * million empty chunks is stopped (CAN) once they add up to the limit (64 KiB here), the
     * spool stays under it, and the job ends LIMIT_EXCEEDED.
     */
    @Test
    void aMillionEmptyOutputChunksHitTheOutputLimit() throws Exception {
        long limit = 64 << 10;
        start(c -> c.withMaxOutputBytes(limit));
        try (RawClient lender = rawLender()) {
            long[] job = submit(runner, script("out x\nexit 0"));
            Frame exf = lender.await(f -> f.code() == Code.EXF, WAIT);
            assertNotNull(exf);
            int s = exf.requestId();
            lender.send(s, new Message.Success(new Result.Empty()));
            long seq = 0;
            Frame can = null;
            while (seq < 1_000_000 && can == null) {
                for (int i = 0; i < 1_000; i++) {
                    lender.send(s, new Message.Output(job[1], seq++, StreamKind.STDOUT,
                            new byte[0]));
                }
                long lastSeq = seq - 1;
                assertNotNull(lender.await(f -> f.requestId() == s && f.code() == Code.OK
                        && ((Message.Ack) RawClient.decode(f)).seq() == lastSeq, WAIT),
                        "chunk " + lastSeq + " acknowledged");
                lender.discard(f -> f.requestId() == s && f.code() == Code.OK);
                can = lender.await(f -> f.code() == Code.CAN, Duration.ZERO);
            }
            assertNotNull(can, "the lender was never told to stop after " + seq + " chunks");
            assertTrue(seq <= 2_000, seq + " chunks sent before the stop");
            Path spool = dataDir.resolve("spool").resolve(Long.toString(job[1]))
                    .resolve("output");
            assertTrue(Files.size(spool) <= limit, "spool of " + Files.size(spool) + " bytes");

            lender.send(can.requestId(), new Message.Success(new Result.Empty()));
            lender.send(s, new Message.Finished(job[1], 1, new JobOutcome.Cancelled(),
                    new ResourceUse(1, 1, 0, 0)));
            JobSummary end = last(untilTerminal(runner, (int) job[0])).job();
            assertEquals(JobState.LIMIT_EXCEEDED, end.state());
            assertEquals(Limit.OUTPUT, end.limit());
            assertEquals(0, end.outputBytes(), "no output bytes were received");
        }
    }

    /**
     * Hole 14d: a lender's reason for a failure is relayed to the job's owner and stored. One
     * carrying terminal escapes (retitle the window, clear the screen) reached the runner
     * as sent. Now the server strips control characters before storing it: the runner's JST and
     * its history show the words without the ESC and BEL.
     */
    @Test
    void aLendersFailureReasonReachesTheRunnerWithoutControlCharacters() throws Exception {
        start(c -> c);
        try (RawLender lender = new RawLender(server, "lender1", "pw-l1", 1)) {
            long[] job = submit(runner, script("error \u001b]0;pwned\u0007\u001b[2Jgone"));
            JobSummary end = last(untilTerminal(runner, (int) job[0])).job();
            assertEquals(JobState.FAILED, end.state());
            assertClean(end.reason());
            assertTrue(end.reason().contains("pwned") && end.reason().contains("gone"),
                    end.reason());
            JobSummary stored = server.coordinator().history("alice", null, null, 0, 10).jobs()
                    .get(0);
            assertEquals(end.reason(), stored.reason(), "stored as relayed");
        }
    }

    /**
     * A lender that answers every EXF with FLD used each job's attempts up, one refusal each,
     * until the job was LOST, though an honest lender was online. Now a refusal gives the job
     * back without costing it an attempt, and a lender that refuses 3 jobs in a row gets no more
     * for a while (audited): every job ends SUCCEEDED on the honest lender, in one attempt, and
     * jobs submitted after the bench never reach the refusing lender.
     */
    @Test
    void aLenderRefusingEveryJobCannotMakeThemLost() throws Exception {
        start(c -> c);
        int jobs = 6;
        try (RawClient refuser = RawClient.connect(server);
                RawLender honest = new RawLender(server, "lender1", "pw-l1", 1)) {
            refuser.loginOk("lender2", "pw-l2");
            // more slots than the honest one, so it is offered jobs first
            refuser.requestOk(new Message.MakeLender(RawLender.caps(4)), Result.Text.class);
            java.util.concurrent.atomic.AtomicInteger refused =
                    new java.util.concurrent.atomic.AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (true) {
                    Frame f = refuser.await(x -> x.code() == Code.EXF, Duration.ofSeconds(60));
                    if (f == null) {
                        return;
                    }
                    refused.incrementAndGet();
                    refuser.send(f.requestId(), new Message.Failure(
                            idle.shared.model.FailureKind.INTERNAL, "no sandbox today"));
                }
            });
            java.util.List<long[]> ids = new java.util.ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                ids.add(submit(runner, script("out job " + i + "\nexit 0")));
            }
            for (long[] j : ids) {
                JobSummary end = last(untilTerminal(runner, (int) j[0])).job();
                assertEquals(JobState.SUCCEEDED, end.state(), end.reason());
                assertEquals(1, end.attempts(), "a refusal costs no attempt");
            }
            assertTrue(idle.shared.testing.Poll.until(() -> honest.finished.size() == jobs, WAIT),
                    "ran " + honest.finished.size());
            // up to its 4 slots' worth were in flight when the third refusal came
            int before = refused.get();
            assertTrue(before >= 3 && before <= 3 + 3, before + " refusals");
            assertTrue(server.coordinator().lenderLines().stream()
                    .anyMatch(l -> l.contains("lender2") && l.contains("benched")),
                    server.coordinator().lenderLines().toString());
            assertTrue(server.database().inTransaction(tx -> tx.audit().latest("lender2", 100))
                    .stream().anyMatch(e -> e.getCode().equals("LENDER_BENCHED")
                            && e.getDetail().contains("no sandbox today")), "audited");

            for (int i = 0; i < 3; i++) {
                long[] more = submit(runner, script("out more\nexit 0"));
                assertEquals(JobState.SUCCEEDED, last(untilTerminal(runner, (int) more[0]))
                        .job().state());
            }
            assertEquals(before, refused.get(), "a benched lender is offered no job");
        }
    }

    /**
     * The slot bound is per lender connection, so one account opening many lender connections
     * multiplied it. Now an account may lend on {@code --max-lenders-per-user} connections at
     * once (2 here): the third MML gets FLD{LIMIT} naming the limit and the connection is no
     * lender; once one of the two is gone, a new one is accepted. Another account is not
     * affected.
     */
    @Test
    void anAccountCannotMultiplyItsSlotsWithMoreLenderConnections() throws Exception {
        start(c -> c.withDispatch(DispatchLimits.defaults().withMaxLendersPerUser(2)));
        try (RawLender first = new RawLender(server, "lender1", "pw-l1", 1);
                RawLender second = new RawLender(server, "lender1", "pw-l1", 1);
                RawClient third = RawClient.connect(server);
                RawLender other = new RawLender(server, "lender2", "pw-l2", 1)) {
            third.loginOk("lender1", "pw-l1");
            Message reply = third.request(new Message.MakeLender(RawLender.caps(1)));
            Message.Failure f = org.junit.jupiter.api.Assertions.assertInstanceOf(
                    Message.Failure.class, reply, "MML got " + reply);
            assertEquals(idle.shared.model.FailureKind.LIMIT, f.kind());
            assertEquals("lender1 already lends on 2 connections; the limit is 2 per account",
                    f.reason());
            assertEquals(3, server.coordinator().pool().lendersOnline(), "two of lender1's");
            Message bsy = third.request(new Message.Availability(false, "not a lender"));
            assertTrue(bsy instanceof Message.Illegal, "the refused connection is no lender: "
                    + bsy);

            first.close();
            assertTrue(idle.shared.testing.Poll.until(
                    () -> server.coordinator().pool().lendersOnline() == 2, WAIT));
            third.requestOk(new Message.MakeLender(RawLender.caps(1)), Result.Text.class);
            assertEquals(3, server.coordinator().pool().lendersOnline());
        }
    }

    static void assertClean(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            assertFalse(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0),
                    "control character " + (int) c + " at " + i + " in " + s);
        }
    }
}
