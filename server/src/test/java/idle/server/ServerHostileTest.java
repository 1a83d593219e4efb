package idle.server;

import static idle.server.ServerProtocolTest.last;
import static idle.server.ServerProtocolTest.script;
import static idle.server.ServerProtocolTest.submit;
import static idle.server.ServerProtocolTest.untilTerminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Codec;
import idle.shared.testing.Poll;
import idle.shared.message.Message;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Limits;
import idle.shared.protocol.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Holes found by thinking like an attacker (issue 11), each shown closed through the real
 * server, real sockets and raw protocol peers. A server with the default size limits (1 MiB
 * scripts, 3 MiB inputs), so the limits the holes lean on are the shipped ones.
 */
@Timeout(120)
class ServerHostileTest {
    static final Duration WAIT = RawClient.WAIT;
    static final int MAX_SLOTS = 3;
    IdleServer server;
    Path dataDir;
    RawClient runner;
    RawLender lender;

    @BeforeEach
    void start() throws Exception {
        dataDir = TestDirs.fresh("hostile");
        server = IdleServer.start(ServerConfig.defaults(dataDir).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false)
                .withMaxSlotsPerLender(MAX_SLOTS));
        server.accounts().addUser("alice", "pw-alice".toCharArray(), false);
        server.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
        server.accounts().addUser("lender2", "pw-l2".toCharArray(), false);
        runner = RawClient.connect(server);
        runner.loginOk("alice", "pw-alice");
        lender = new RawLender(server, "lender1", "pw-l1", 1);
    }

    @AfterEach
    void stop() throws Exception {
        runner.close();
        lender.close();
        server.close();
    }

    /**
     * Hole 1: a 1 MiB script and 3 MiB of inputs fit in the runner's RCS, but the EXF built
     * from them is 13 bytes longer (job id, attempt, environment and task position in, wait
     * policy out) and over the frame limit. The server used to accept it, mark it RUNNING and
     * fail to send it in a background thread: the lender never heard of it and its slot stayed
     * taken forever. Now the door
     * refuses it, naming the limit, and the slot runs the next job.
     */
    @Test
    void oneOrdinaryJobDoesNotWedgeALenderSlot() throws Exception {
        Message.RunScript big = rcsOfExactly(Limits.MAX_PAYLOAD);
        assertEquals(Limits.MAX_PAYLOAD, Codec.payload(big).length, "the RCS itself fits");
        Message reply = runner.request(big);
        Message.Failure f = assertInstanceOf(Message.Failure.class, reply, "RCS got " + reply);
        assertEquals(FailureKind.LIMIT, f.kind());
        assertTrue(f.reason().contains("4 MiB"), f.reason());

        long[] next = submit(runner, script("out still works\nexit 0"));
        Message.JobEvent end = last(untilTerminal(runner, (int) next[0]));
        assertEquals(JobState.SUCCEEDED, end.job().state(), "the only slot ran the next job");
        assertTrue(Poll.until(() -> server.coordinator().pool().freeSlots() == 1, WAIT),
                "the slot is free again");
    }

    /**
     * A failure after a job was given to a lender (here its input file vanished from the data
     * directory before dispatch) ends that attempt: the runner sees the job FAILED with a reason,
     * and the lender's only slot is free for the next job.
     */
    @Test
    void aFailureAfterAssignmentEndsTheJobWithAReasonAndFreesTheSlot() throws Exception {
        long[] busy = submit(runner, script("wait\nexit 0"));
        assertTrue(lender.awaitRuns(1, WAIT));
        byte[] s = "out never\nexit 0".getBytes(StandardCharsets.UTF_8);
        byte[] data = "1,2,3\n".getBytes(StandardCharsets.UTF_8);
        long[] doomed = submit(runner, new Message.RunScript("job.py", s, Sha256.hex(s),
                List.of(), List.of(new InputFile("data.csv", data, Sha256.hex(data))),
                JobNeeds.NONE, WaitPolicy.QUEUE));
        Path inputs = dataDir.resolve("inputs").resolve(Long.toString(doomed[1]));
        assertTrue(Files.isRegularFile(inputs.resolve("data.csv")), "inputs stored at the door");
        Files.delete(inputs.resolve("data.csv"));

        lender.release(busy[1]);
        Message.JobEvent end = last(untilTerminal(runner, (int) doomed[0]));
        assertEquals(JobState.FAILED, end.job().state());
        assertTrue(end.job().reason().contains("input"), end.job().reason());

        long[] next = submit(runner, script("out fine\nexit 0"));
        assertEquals(JobState.SUCCEEDED, last(untilTerminal(runner, (int) next[0])).job().state(),
                "the slot is free for the next job");
        assertEquals(2, lender.runs.size(), "the doomed job never reached the lender");
    }

    /**
     * Hole 8: a lender's MML claims were trusted, so one claiming 2^31-1 slots was sent nearly
     * every job. Now it gets at most {@code --max-slots-per-lender} (3 here) and never more than
     * the cores it reports; the fourth job waits.
     */
    @Test
    void aLenderClaimingEveryPossibleSlotGetsAtMostTheBound() throws Exception {
        onlyNewLenders();
        try (RawLender greedy = new RawLender(server, "lender2", "pw-l2",
                greedyCaps(Integer.MAX_VALUE))) {
            List<long[]> jobs = new java.util.ArrayList<>();
            for (int i = 0; i < MAX_SLOTS; i++) {
                jobs.add(submit(runner, script("wait\nexit 0")));
            }
            assertTrue(greedy.awaitRuns(MAX_SLOTS, WAIT));
            int id = runner.nextId();
            runner.send(id, script("out after\nexit 0"));
            Message.Success ok = assertInstanceOf(Message.Success.class, runner.next(id));
            assertEquals(JobState.QUEUED, ((idle.shared.message.Result.JobAccepted) ok.result())
                    .state(), "no slot beyond the bound");
            assertEquals(MAX_SLOTS, greedy.runs.size());
            assertEquals(0, server.coordinator().pool().freeSlots());

            greedy.release(jobs.get(0)[1]);
            assertEquals(JobState.SUCCEEDED, last(untilTerminal(runner, id)).job().state(),
                    "the waiting job gets the slot that was freed");
            for (long[] j : jobs.subList(1, jobs.size())) {
                greedy.release(j[1]);
            }
        }
    }

    /** With two lenders, work is spread over both instead of filling the one that offers most. */
    @Test
    void jobsSpreadOverLendersInsteadOfFillingTheFirst() throws Exception {
        onlyNewLenders();
        try (RawLender greedy = new RawLender(server, "lender2", "pw-l2",
                greedyCaps(Integer.MAX_VALUE));
                RawLender modest = new RawLender(server, "lender1", "pw-l1", MAX_SLOTS)) {
            List<long[]> jobs = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                jobs.add(submit(runner, script("wait\nexit 0")));
            }
            assertTrue(greedy.awaitRuns(2, WAIT) && modest.awaitRuns(2, WAIT),
                    "greedy ran " + greedy.runs.size() + ", modest " + modest.runs.size());
            assertEquals(2, greedy.runs.size());
            assertEquals(2, modest.runs.size());
            for (RawLender l : List.of(greedy, modest)) {
                for (RawLender.Run r : l.runs) {
                    l.release(r.jobId());
                }
            }
            for (long[] j : jobs) {
                assertEquals(JobState.SUCCEEDED, last(untilTerminal(runner, (int) j[0])).job()
                        .state());
            }
        }
    }

    /** Takes the 1-slot lender of {@link #start} offline. */
    private void onlyNewLenders() {
        lender.close();
        assertTrue(Poll.until(() -> server.coordinator().pool().lendersOnline() == 0, WAIT));
    }

    static LenderCapabilities greedyCaps(int cores) {
        return new LenderCapabilities("3.11.2", cores, 8192, Integer.MAX_VALUE, 60, 1024, 600, 64,
                "greedy", false);
    }

    /** An RCS with a 1 MiB script and one input whose payload is exactly {@code payload}. */
    static Message.RunScript rcsOfExactly(int payload) {
        byte[] script = new byte[1 << 20];
        Arrays.fill(script, (byte) '#');
        byte[] head = "out hi\nexit 0\n".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, script, 0, head.length);
        int inputSize = 3 << 20;
        Message.RunScript rs = rcs(script, new byte[inputSize]);
        int over = Codec.payload(rs).length - payload;
        return rcs(script, new byte[inputSize - over]);
    }

    private static Message.RunScript rcs(byte[] script, byte[] input) {
        return new Message.RunScript("big.py", script, Sha256.hex(script), List.of(),
                List.of(new InputFile("in.bin", input, Sha256.hex(input))), JobNeeds.NONE,
                WaitPolicy.QUEUE);
    }
}
