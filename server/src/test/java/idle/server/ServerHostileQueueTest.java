package idle.server;

import static idle.server.ServerProtocolTest.last;
import static idle.server.ServerProtocolTest.script;
import static idle.server.ServerProtocolTest.submit;
import static idle.server.ServerProtocolTest.untilTerminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Sha256;
import idle.shared.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11, hole 9: what one runner's queue may cost the server. Queued jobs' scripts wait in
 * the database, not in memory (only a cache bounded by bytes is kept), also after a restart;
 * and one account may have only so many jobs that have not ended. Real server, sockets and
 * Derby on disk.
 */
@Timeout(300)
class ServerHostileQueueTest {
    static final Duration WAIT = RawClient.WAIT;
    Path dir;

    @AfterEach
    void clean() throws Exception {
        if (dir != null) {
            TestDirs.delete(dir);
        }
    }

    ServerConfig config(DispatchLimits limits) {
        return ServerConfig.defaults(dir).withPort(0).withPbkdf2Iterations(1_000)
                .withLogToFile(false).withDispatch(limits);
    }

    static void users(IdleServer s) {
        s.accounts().addUser("alice", "pw-alice".toCharArray(), false);
        s.accounts().addUser("bob", "pw-bob".toCharArray(), false);
        s.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
    }

    static RawClient login(IdleServer s, String user) throws Exception {
        RawClient c = RawClient.connect(s);
        c.loginOk(user, "pw-" + user);
        return c;
    }

    /** A script of exactly the server's limit (1 MiB): its instructions, then padding. */
    static byte[] bigScript(int i) {
        byte[] b = new byte[1 << 20];
        Arrays.fill(b, (byte) '#');
        byte[] head = ("out job " + i + "\nexit 0\n").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, b, 0, head.length);
        // the padding differs per job too, so a script mixed up with another is seen
        byte[] tail = ("# " + i + "\n").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tail, 0, b, b.length - tail.length, tail.length);
        return b;
    }

    static Message.RunScript rcs(byte[] script) {
        return new Message.RunScript("big.py", script, Sha256.hex(script), List.of(), List.of(),
                JobNeeds.NONE, WaitPolicy.QUEUE);
    }

    /**
     * Hole 9a: 200 queued jobs of 1 MiB scripts (behind a lender kept busy) used to hold 200 MiB
     * in the server's memory, and a restart loaded them all again. Now the scripts the server
     * retains stay under its cache bound (8 MiB here) while they wait, are not loaded at all by
     * the recovery, and every job still reaches a lender with its own script, byte for byte.
     */
    @Test
    void queuedScriptsWaitInTheDatabaseNotInMemoryAlsoAfterARestart() throws Exception {
        dir = TestDirs.fresh("queue-memory");
        long cache = 8L << 20;
        int queued = 200;
        ServerConfig cfg = config(DispatchLimits.defaults().withScriptCacheBytes(cache));
        Map<Long, String> sent = new HashMap<>();
        long busy;
        try (IdleServer s1 = IdleServer.start(cfg)) {
            users(s1);
            try (RawClient runner = login(s1, "alice");
                    RawLender lender = new RawLender(s1, "lender1", "pw-l1",
                            RawLender.caps(1), false)) {
                Message.RunScript waiting = script("wait\nexit 0");
                busy = submit(runner, waiting)[1];
                sent.put(busy, Sha256.hex(waiting.script()));
                assertTrue(lender.awaitRuns(1, WAIT));
                long most = 0;
                for (int i = 0; i < queued; i++) {
                    byte[] b = bigScript(i);
                    sent.put(submit(runner, rcs(b))[1], Sha256.hex(b));
                    most = Math.max(most, s1.coordinator().cachedScriptBytes());
                }
                assertTrue(most <= cache, "the server retained " + most + " bytes of scripts "
                        + "for " + queued + " queued jobs; the bound is " + cache);
                assertEquals(queued + 1, s1.coordinator().activeJobs());
            }
        }
        try (IdleServer s2 = IdleServer.start(cfg)) {
            assertEquals(queued + 1, s2.coordinator().activeJobs(), "all recovered");
            assertEquals(0, s2.coordinator().cachedScriptBytes(), "recovery loads no script");
            try (RawLender lender = new RawLender(s2, "lender1", "pw-l1", RawLender.caps(1),
                    false)) {
                lender.release(busy);
                assertTrue(Poll.until(() -> {
                    assertTrue(s2.coordinator().cachedScriptBytes() <= cache);
                    return lender.finished.size() == queued + 1;
                }, Duration.ofSeconds(200)), "ran " + lender.finished.size());
                for (RawLender.Run r : lender.runs) {
                    assertEquals(sent.get(r.jobId()), r.scriptSha256(),
                            "job " + r.jobId() + " reached the lender with its own script");
                }
                assertEquals(queued + 1, lender.runs.size());
                assertTrue(Poll.until(() -> s2.coordinator().activeJobs() == 0, WAIT));
                assertEquals(queued + 1, s2.coordinator().history("alice", JobState.SUCCEEDED,
                        null, 0, 1_000).jobs().size());
            }
        }
    }

    /**
     * Hole 9b: one account could queue jobs without end. Now an account with as many jobs not
     * ended as {@code --max-queued-per-user} (3 here) is refused at the door with FLD{LIMIT},
     * naming the limit, and nothing of the refused job is stored (no row, no input file);
     * another account is not affected, and once one of the jobs ended the next one is accepted.
     */
    @Test
    void anAccountAtItsQueueLimitIsRefusedAtTheDoorAndNothingIsStored() throws Exception {
        dir = TestDirs.fresh("queue-limit");
        try (IdleServer s = IdleServer.start(config(DispatchLimits.defaults()
                .withMaxQueuedPerUser(3)))) {
            users(s);
            try (RawClient alice = login(s, "alice"); RawClient bob = login(s, "bob");
                    RawLender lender = new RawLender(s, "lender1", "pw-l1", 1)) {
                long[] first = submit(alice, script("wait\nexit 0"));
                submit(alice, script("out two\nexit 0"));
                submit(alice, script("out three\nexit 0"));
                assertTrue(lender.awaitRuns(1, WAIT));

                byte[] text = "out four\nexit 0".getBytes(StandardCharsets.UTF_8);
                byte[] data = "1,2\n".getBytes(StandardCharsets.UTF_8);
                Message reply = alice.request(new Message.RunScript("four.py", text,
                        Sha256.hex(text), List.of(), List.of(new InputFile("in.csv", data,
                                Sha256.hex(data))), JobNeeds.NONE, WaitPolicy.QUEUE));
                Message.Failure f = assertInstanceOf(Message.Failure.class, reply);
                assertEquals(FailureKind.LIMIT, f.kind());
                assertEquals("you have 3 jobs queued or running; the limit is 3", f.reason());
                assertEquals(3, s.coordinator().history("alice", null, null, 0, 100).jobs()
                        .size(), "no row for the refused job");
                assertEquals(0, filesUnder(dir.resolve("inputs")), "no input file stored");

                long[] bobs = submit(bob, script("out bob\nexit 0"));
                assertTrue(bobs[1] > 0, "another account is not limited by alice's jobs");

                lender.release(first[1]);
                assertEquals(JobState.SUCCEEDED, last(untilTerminal(alice, (int) first[0]))
                        .job().state());
                assertTrue(Poll.until(() -> !s.coordinator().isActive(first[1]), WAIT));
                Result.JobAccepted again = alice.requestOk(script("out five\nexit 0"),
                        Result.JobAccepted.class);
                assertTrue(again.jobId() > 0, "accepted once a job ended");
            }
        }
    }

    static long filesUnder(Path p) throws Exception {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
