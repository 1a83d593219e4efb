package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.StreamKind;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Sha256;
import idle.shared.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The server through its real socket, driven by raw protocol peers: a runner client and a raw
 * lender that answers EXF as the real lender does. One server and one set of accounts for the
 * class (PBKDF2 with 600,000 iterations costs about 120 ms per hash).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerProtocolTest {
    static final Duration WAIT = RawClient.WAIT;
    IdleServer server;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path dir = TestDirs.fresh("protocol");
        server = IdleServer.start(ServerConfig.defaults(dir).withPort(0).withMaxScriptBytes(4096)
                .withMaxOutputBytes(1 << 20).withLogToFile(true));
        server.accounts().addUser("alice", "pw-alice".toCharArray(), false);
        server.accounts().addUser("bob", "pw-bob".toCharArray(), false);
        server.accounts().addUser("carol", "pw-carol".toCharArray(), false);
        server.accounts().disable("carol");
        server.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
        server.accounts().addUser("lender2", "pw-l2".toCharArray(), false);
    }

    @AfterEach
    void closeOpen() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
        // lenders of one test must be gone before the next one starts
        assertTrue(Poll.until(() -> server.coordinator().pool().lendersOnline() == 0, WAIT));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    RawClient runner(String user) throws Exception {
        RawClient c = RawClient.connect(server);
        open.add(c);
        c.loginOk(user, "pw-" + user);
        return c;
    }

    RawLender lender(String user, int slots) throws Exception {
        RawLender l = new RawLender(server, user, "pw-" + (user.equals("lender1") ? "l1" : "l2"),
                slots);
        open.add(0, l);
        return l;
    }

    static Message.RunScript script(String text) {
        return script("job.py", text, WaitPolicy.QUEUE);
    }

    static Message.RunScript script(String name, String text, WaitPolicy wait) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new Message.RunScript(name, b, Sha256.hex(b), List.of("a1"), List.of(),
                JobNeeds.NONE, wait);
    }

    /** Submits; returns {request id, job id}. */
    static long[] submit(RawClient c, Message.RunScript rs) {
        int id = c.nextId();
        c.send(id, rs);
        Message m = c.next(id);
        Result.JobAccepted a = (Result.JobAccepted) assertInstanceOf(Message.Success.class, m,
                "RCS answered " + m).result();
        return new long[] {id, a.jobId()};
    }

    /** Reads the subscription #id until the terminal JST; returns every message in order. */
    static List<Message> untilTerminal(RawClient c, int id) {
        List<Message> seen = new ArrayList<>();
        while (true) {
            Message m = c.next(id);
            seen.add(m);
            if (m instanceof Message.JobEvent e && e.job().state().isTerminal()) {
                return seen;
            }
        }
    }

    static String stream(List<Message> ms, StreamKind k) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Message m : ms) {
            if (m instanceof Message.Output o && o.stream() == k) {
                b.writeBytes(o.data());
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    static Message.JobEvent last(List<Message> ms) {
        return (Message.JobEvent) ms.get(ms.size() - 1);
    }

    // ---- login ------------------------------------------------------------------------------

    @Test
    void loginSucceedsFailsWithWrongPasswordAndRefusesDisabledAccounts() throws Exception {
        try (RawClient c = RawClient.connect(server)) {
            Message bad = c.login("alice", "wrong");
            Message.Failure f = assertInstanceOf(Message.Failure.class, bad);
            assertEquals(FailureKind.BAD_CREDENTIALS, f.kind());
            Message nobody = c.login("nobody", "x");
            assertEquals(FailureKind.BAD_CREDENTIALS,
                    assertInstanceOf(Message.Failure.class, nobody).kind());
            Message dis = c.login("carol", "pw-carol");
            assertEquals(FailureKind.ACCOUNT_DISABLED,
                    assertInstanceOf(Message.Failure.class, dis).kind());
            Result.Session s = c.loginOk("alice", "pw-alice");
            assertEquals("alice", s.user());
            assertFalse(s.admin());
            assertEquals(43, s.resumeToken().length(), "256-bit token, base64url");
            // a second LCS on a logged-in connection is illegal
            assertInstanceOf(Message.Illegal.class, c.request(new Message.Login("x", null)));
            // resume on a new connection with the token, then log out
            try (RawClient c2 = RawClient.connect(server)) {
                Message r = c2.request(new Message.Login("raw", s.resumeToken()));
                Result.Session s2 = (Result.Session) assertInstanceOf(Message.Success.class, r)
                        .result();
                assertEquals("alice", s2.user());
                assertInstanceOf(Message.Bye.class, c2.request(new Message.Logout()));
                assertTrue(c2.closedByServer(WAIT));
            }
            // logout revoked the token
            try (RawClient c3 = RawClient.connect(server)) {
                int id = c3.nextId();
                c3.send(id, new Message.Login("raw", s.resumeToken()));
                assertInstanceOf(Message.UserId.class, c3.next(id), "asks for the name again");
            }
        }
    }

    @Test
    void requestsBeforeLoginOrBeyondRoleAreIllegal() throws Exception {
        try (RawClient c = RawClient.connect(server)) {
            assertInstanceOf(Message.Illegal.class, c.request(script("out x")));
            assertInstanceOf(Message.Illegal.class, c.request(new Message.PoolQuery()));
            // heartbeats work before login
            Message hb = c.request(new Message.Heartbeat(42));
            assertEquals(42, assertInstanceOf(Message.Ack.class, hb).seq());
            c.loginOk("alice", "pw-alice");
            assertInstanceOf(Message.Illegal.class, c.request(new Message.Withdraw(false)),
                    "not a lender");
            assertInstanceOf(Message.Illegal.class, c.request(new Message.Admin(List.of("user",
                    "list"))), "not an admin");
            assertInstanceOf(Message.Illegal.class, c.request(new Message.Shutdown("no")),
                    "a server-only message");
            // the connection goes on
            Result.Pool p = c.requestOk(new Message.PoolQuery(), Result.Pool.class);
            assertEquals(0, p.status().lendersOnline());
        }
    }

    @Test
    void malformedFrameGetsIlrAndCloseWhileOthersAreServed() throws Exception {
        RawClient good = runner("alice");
        try (RawClient bad = RawClient.connect(server)) {
            // an unknown code: the decoder rejects it
            bad.sendRaw(new byte[] {'X', 'Y', 'Z', 0, 0, 0, 0, 1, 0, 0, 0, 0});
            Frame f = bad.await(x -> x.code() == Code.ILR && x.requestId() == 0, WAIT);
            assertNotNull(f, "ILR#0 before closing");
            assertTrue(bad.closedByServer(WAIT));
        }
        try (RawClient bad = RawClient.connect(server)) {
            // a known code whose payload is truncated
            bad.sendRaw(new byte[] {'L', 'C', 'S', 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 9, 'a'});
            assertNotNull(bad.await(x -> x.code() == Code.ILR && x.requestId() == 0, WAIT));
            assertTrue(bad.closedByServer(WAIT));
        }
        assertNotNull(good.requestOk(new Message.PoolQuery(), Result.Pool.class));
    }

    // ---- NLA ------------------------------------------------------------------------------

    @Test
    void nlaWhenNobodyLendsWhenNobodyMeetsTheNeedsAndWhenAllAreBusyOnRequest() throws Exception {
        RawClient c = runner("alice");
        Message m = c.request(script("out hi"));
        assertTrue(assertInstanceOf(Message.NoLenders.class, m).reason()
                .contains("nobody is lending"), m.toString());
        RawLender l = lender("lender1", 1);
        byte[] b = "out x".getBytes(StandardCharsets.UTF_8);
        Message needs = c.request(new Message.RunScript("n.py", b, Sha256.hex(b), List.of(),
                List.of(), new JobNeeds("3.13", 0, 0), WaitPolicy.QUEUE));
        String reason = assertInstanceOf(Message.NoLenders.class, needs).reason();
        assertTrue(reason.contains("needs") && reason.contains("3.13"), reason);
        long[] busy = submit(c, script("wait\nexit 0"));
        assertTrue(l.awaitRuns(1, WAIT));
        Message nla = c.request(script("b.py", "out x", WaitPolicy.NLA_IF_BUSY));
        assertTrue(assertInstanceOf(Message.NoLenders.class, nla).reason().contains("busy"));
        // with QUEUE it waits and says so
        int id = c.nextId();
        c.send(id, script("q.py", "out queued\nexit 0", WaitPolicy.QUEUE));
        Result.JobAccepted q = (Result.JobAccepted) assertInstanceOf(Message.Success.class,
                c.next(id)).result();
        assertEquals(JobState.QUEUED, q.state());
        assertTrue(q.note().contains("waiting"), q.note());
        l.release(busy[1]);
        List<Message> ms = untilTerminal(c, id);
        assertEquals(JobState.SUCCEEDED, last(ms).job().state());
        assertEquals("queued\n", stream(ms, StreamKind.STDOUT));
    }

    // ---- running jobs -----------------------------------------------------------------------

    @Test
    void outputIsRelayedInOrderWithStderrApartAndTheExitCodeReported() throws Exception {
        RawLender l = lender("lender1", 2);
        RawClient c = runner("alice");
        StringBuilder s = new StringBuilder();
        StringBuilder expectOut = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            s.append("out line ").append(i).append('\n');
            expectOut.append("line ").append(i).append('\n');
            if (i % 10 == 0) {
                s.append("err oops ").append(i).append('\n');
            }
        }
        s.append("exit 3\n");
        long[] j = submit(c, script(s.toString()));
        List<Message> ms = untilTerminal(c, (int) j[0]);
        assertEquals(expectOut.toString(), stream(ms, StreamKind.STDOUT));
        assertEquals("oops 0\noops 10\noops 20\noops 30\noops 40\n", stream(ms, StreamKind.STDERR));
        long seq = 0;
        for (Message m : ms) {
            if (m instanceof Message.Output o) {
                assertEquals(seq++, o.seq(), "chunks in order");
                assertEquals(j[1], o.jobId());
            }
        }
        Message.JobEvent end = last(ms);
        assertEquals(JobState.FAILED, end.job().state());
        assertEquals(3, end.job().exitCode());
        assertEquals(l.pseudonym, end.job().lender());
        assertTrue(l.pseudonym.startsWith("lender-") && !l.pseudonym.contains("lender1"));
        // the lender saw the script and args, never the runner's name
        RawLender.Run run = l.runs.get(0);
        assertEquals(List.of("a1"), run.exf().args());
        assertEquals(1, run.attempt());
        Result.Text who = c.requestOk(new Message.LenderOf(j[1]), Result.Text.class);
        assertEquals(l.pseudonym, who.text());
        Result.Detail d = c.requestOk(new Message.JobQuery(j[1]), Result.Detail.class);
        assertEquals(JobState.FAILED, d.job().summary().state());
        assertTrue(Poll.until(() -> l.finished.contains(j[1]), WAIT), "FIN answered with SCF");
    }

    @Test
    void outputFilesArriveIntactAndACorruptOneIsRejected() throws Exception {
        RawLender l = lender("lender1", 1);
        RawClient c = runner("alice");
        long[] j = submit(c, script("out working\nfile result.txt forty-two\n"
                + "badfile broken.bin junk\nfile sub/dir.txt nested\nexit 0"));
        List<Message> ms = untilTerminal(c, (int) j[0]);
        assertEquals(JobState.SUCCEEDED, last(ms).job().state());
        assertEquals(3, l.fileReplies.size());
        assertInstanceOf(Message.Success.class, l.fileReplies.get(0));
        assertEquals(FailureKind.CHECKSUM,
                assertInstanceOf(Message.Failure.class, l.fileReplies.get(1)).kind());
        Result.Detail d = c.requestOk(new Message.JobQuery(j[1]), Result.Detail.class);
        assertEquals(List.of("result.txt", "sub/dir.txt"),
                d.job().files().stream().map(f -> f.name()).toList());
        // fetch one: TOF, DAT*, EOF, then the runner answers SCF
        int id = c.nextId();
        c.send(id, new Message.GetOutputFile(j[1], "result.txt"));
        Message.TakeOutputFile tof = c.expect(id, Message.TakeOutputFile.class);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (true) {
            Message m = c.next(id);
            if (m instanceof Message.FileData fd) {
                got.writeBytes(fd.data());
                c.send(id, new Message.Ack(fd.seq()));
            } else {
                assertInstanceOf(Message.EndOfFile.class, m);
                break;
            }
        }
        assertEquals("forty-two", got.toString(StandardCharsets.UTF_8));
        assertEquals(Sha256.hex(got.toByteArray()), tof.sha256());
        c.send(id, new Message.Success(new Result.Empty()));
        Message none = c.request(new Message.GetOutputFile(j[1], "broken.bin"));
        assertEquals(FailureKind.NOT_FOUND, assertInstanceOf(Message.Failure.class, none).kind());
    }

    @Test
    void cancelQueuedAndRunningJobsReachesTheLender() throws Exception {
        RawLender l = lender("lender1", 1);
        RawClient c = runner("alice");
        long[] run = submit(c, script("out started\nwait\nexit 0"));
        long[] queued = submit(c, script("out never\nexit 0"));
        assertTrue(l.awaitRuns(1, WAIT));
        assertInstanceOf(Message.Success.class, c.request(new Message.Cancel(queued[1])));
        List<Message> q = untilTerminal(c, (int) queued[0]);
        assertEquals(JobState.CANCELLED, last(q).job().state());
        assertInstanceOf(Message.Success.class, c.request(new Message.Cancel(run[1])));
        assertTrue(Poll.until(() -> l.cancels.contains(run[1]), WAIT), "CAN reached the lender");
        List<Message> r = untilTerminal(c, (int) run[0]);
        assertEquals(JobState.CANCELLED, last(r).job().state());
        assertEquals("started\n", stream(r, StreamKind.STDOUT));
        Message again = c.request(new Message.Cancel(run[1]));
        assertEquals(FailureKind.WRONG_STATE,
                assertInstanceOf(Message.Failure.class, again).kind());
        assertEquals(1, l.runs.size(), "the cancelled queued job never ran");
    }

    @Test
    void aRunnerCannotSeeAnotherRunnersJobs() throws Exception {
        lender("lender1", 1);
        RawClient a = runner("alice");
        RawClient b = runner("bob");
        long[] j = submit(a, script("out secret\nfile f.txt data\nexit 0"));
        untilTerminal(a, (int) j[0]);
        for (Message m : List.of(new Message.JobQuery(j[1]), new Message.Cancel(j[1]),
                new Message.Attach(j[1], 0, false), new Message.LenderOf(j[1]),
                new Message.GetOutputFile(j[1], "f.txt"))) {
            Message r = b.request(m);
            assertEquals(FailureKind.NOT_FOUND, assertInstanceOf(Message.Failure.class, r,
                    m.code() + ": " + r).kind(), m.code().name());
        }
        Result.JobPage page = b.requestOk(new Message.History(null, null, 0, 100),
                Result.JobPage.class);
        assertTrue(page.jobs().stream().noneMatch(s -> s.jobId() == j[1]));
        Result.JobPage mine = a.requestOk(new Message.History(null, null, 0, 100),
                Result.JobPage.class);
        assertEquals(j[1], mine.jobs().get(0).jobId(), "newest first");
    }

    @Test
    void attachReplaysTheWholeSpooledOutputThenFollowsLive() throws Exception {
        RawLender l = lender("lender1", 1);
        RawClient a = runner("alice");
        long[] j = submit(a, script("out one\nerr two\nout three\nwait\nout four\nexit 0"));
        // the first connection sees three chunks, then drops
        for (int i = 0; i < 3; i++) {
            a.awaitMessage((int) j[0], Message.Output.class);
        }
        a.close();
        RawClient b = runner("alice");
        int id = b.nextId();
        b.send(id, new Message.Attach(j[1], 0, true));
        Result.Detail d = (Result.Detail) b.expect(id, Message.Success.class).result();
        assertEquals(JobState.RUNNING, d.job().summary().state());
        for (String want : List.of("one\n", "two\n", "three\n")) {
            Message.Output o = b.expect(id, Message.Output.class);
            assertEquals(want, new String(o.data(), StandardCharsets.UTF_8));
        }
        l.release(j[1]);
        List<Message> rest = untilTerminal(b, id);
        assertEquals("four\n", stream(rest, StreamKind.STDOUT));
        assertEquals(JobState.SUCCEEDED, last(rest).job().state());
        // later, without follow: everything again, then the current (terminal) state
        int id2 = b.nextId();
        b.send(id2, new Message.Attach(j[1], 1, false));
        b.expect(id2, Message.Success.class);
        List<Message> all = untilTerminal(b, id2);
        assertEquals("three\nfour\n", stream(all, StreamKind.STDOUT));
        assertEquals("two\n", stream(all, StreamKind.STDERR));
    }

    @Test
    void dispatchIsFairAcrossRunners() throws Exception {
        RawLender l = lender("lender1", 1);
        RawClient a = runner("alice");
        RawClient b = runner("bob");
        long[] blocker = submit(a, script("wait\nexit 0"));
        assertTrue(l.awaitRuns(1, WAIT));
        List<Long> aJobs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            aJobs.add(submit(a, script("out a" + i + "\nexit 0"))[1]);
        }
        long bJob = submit(b, script("out b\nexit 0"))[1];
        l.release(blocker[1]);
        assertTrue(l.awaitRuns(10, WAIT));
        List<Long> order = l.runs.stream().map(RawLender.Run::jobId).toList();
        int bAt = order.indexOf(bJob);
        assertTrue(bAt >= 1 && bAt <= 2, "bob's one job ran within the first two after the "
                + "blocker, not after alice's 8: " + order);
    }

    @Test
    void aLenderLostMidJobIsReplacedAndSuccessIsReportedOnce() throws Exception {
        RawLender l1 = lender("lender1", 1);
        RawClient c = runner("alice");
        long[] j = submit(c, script("out first try\nwait\nout done\nexit 0"));
        assertTrue(l1.awaitRuns(1, WAIT));
        Message.Output first = c.awaitMessage((int) j[0], Message.Output.class);
        assertEquals("first try\n", new String(first.data(), StandardCharsets.UTF_8));
        RawLender l2 = lender("lender2", 1);
        l1.close(); // the connection drops mid-job
        assertTrue(l2.awaitRuns(1, WAIT), "re-queued on the other lender");
        assertEquals(2, l2.runs.get(0).attempt());
        l2.release(j[1]);
        List<Message> ms = untilTerminal(c, (int) j[0]);
        Message.JobEvent end = last(ms);
        assertEquals(JobState.SUCCEEDED, end.job().state());
        assertEquals(2, end.job().attempts());
        assertEquals(l2.pseudonym, end.job().lender());
        assertTrue(ms.stream().anyMatch(m -> m instanceof Message.JobEvent e
                && e.job().state() == JobState.RUNNING && e.job().attempts() == 2),
                "the retry is announced: " + ms);
        long terminals = ms.stream().filter(m -> m instanceof Message.JobEvent e
                && e.job().state().isTerminal()).count();
        assertEquals(1, terminals);
        assertTrue(c.await(x -> x.requestId() == (int) j[0], Duration.ofMillis(300)) == null,
                "nothing after the terminal JST");
        // the retry's output restarts at seq 0 and only the finished attempt is spooled
        int id = c.nextId();
        c.send(id, new Message.Attach(j[1], 0, false));
        c.expect(id, Message.Success.class);
        List<Message> replay = untilTerminal(c, id);
        assertEquals("first try\ndone\n", stream(replay, StreamKind.STDOUT));
    }

    @Test
    void oversizedScriptAndInputsGetFldNamingTheLimit() throws Exception {
        lender("lender1", 1);
        RawClient c = runner("alice");
        Message m = c.request(script("x".repeat(5000)));
        Message.Failure f = assertInstanceOf(Message.Failure.class, m);
        assertEquals(FailureKind.LIMIT, f.kind());
        assertTrue(f.reason().contains("4 KiB"), f.reason());
        byte[] in = new byte[(3 << 20) + (1 << 19)];
        byte[] s = "out x".getBytes(StandardCharsets.UTF_8);
        Message big = c.request(new Message.RunScript("in.py", s, Sha256.hex(s), List.of(),
                List.of(new InputFile("data.bin", in, Sha256.hex(in))), JobNeeds.NONE,
                WaitPolicy.QUEUE));
        Message.Failure f2 = assertInstanceOf(Message.Failure.class, big);
        assertEquals(FailureKind.LIMIT, f2.kind());
        assertTrue(f2.reason().contains("3 MiB"), f2.reason());
        Message bad = c.request(new Message.RunScript("in.py", s, Sha256.hex(s), List.of(),
                List.of(new InputFile("../etc", s, Sha256.hex(s))), JobNeeds.NONE,
                WaitPolicy.QUEUE));
        assertEquals(FailureKind.INVALID, assertInstanceOf(Message.Failure.class, bad).kind());
    }

    @Test
    void namesEveryLenderWouldRefuseAreRefusedAtTheDoor() throws Exception {
        lender("lender1", 1);
        RawClient c = runner("alice");
        byte[] s = "out x".getBytes(StandardCharsets.UTF_8);
        Message pathScript = c.request(new Message.RunScript("a/b.py", s, Sha256.hex(s),
                List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE));
        Message.Failure f1 = assertInstanceOf(Message.Failure.class, pathScript);
        assertEquals(FailureKind.INVALID, f1.kind());
        assertTrue(f1.reason().startsWith("script:"), f1.reason());
        Message shadow = c.request(new Message.RunScript("in.py", s, Sha256.hex(s), List.of(),
                List.of(new InputFile("in.py", s, Sha256.hex(s))), JobNeeds.NONE,
                WaitPolicy.QUEUE));
        Message.Failure f2 = assertInstanceOf(Message.Failure.class, shadow);
        assertEquals(FailureKind.INVALID, f2.kind());
        assertTrue(f2.reason().contains("script's name"), f2.reason());
    }

    @Test
    void inputFilesReachTheLender() throws Exception {
        RawLender l = lender("lender1", 1);
        RawClient c = runner("alice");
        byte[] s = "out x\nexit 0".getBytes(StandardCharsets.UTF_8);
        byte[] data = "1,2,3\n".getBytes(StandardCharsets.UTF_8);
        int id = c.nextId();
        c.send(id, new Message.RunScript("in.py", s, Sha256.hex(s), List.of("--n", "3"),
                List.of(new InputFile("data.csv", data, Sha256.hex(data))), JobNeeds.NONE,
                WaitPolicy.QUEUE));
        c.expect(id, Message.Success.class);
        untilTerminal(c, id);
        Message.Execute exf = l.runs.get(0).exf();
        assertEquals(List.of("--n", "3"), exf.args());
        assertEquals("data.csv", exf.inputs().get(0).name());
        assertEquals("1,2,3\n", new String(exf.inputs().get(0).data(), StandardCharsets.UTF_8));
    }
}
