package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.Job;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import idle.shared.model.SweepTask;
import idle.shared.model.TaskPosition;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import idle.shared.protocol.Sha256;
import idle.shared.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sweeps (issue 15) through the real server, sockets and on-disk Derby, driven by raw protocol
 * peers: a runner and raw lenders that run the "scripts" of {@link RawLender}. Each test says
 * which rule it shows; the attacks (bad batches, another's sweep, more tasks than allowed) are
 * refused with nothing stored and no place kept.
 */
@Timeout(300)
class ServerSweepTest {
    static final Duration WAIT = RawClient.WAIT;
    Path dir;

    @AfterEach
    void clean() throws Exception {
        if (dir != null) {
            TestDirs.delete(dir);
        }
    }

    IdleServer start(String name, int maxQueued) throws java.io.IOException {
        dir = TestDirs.fresh(name);
        return start(maxQueued);
    }

    IdleServer start(int maxQueued) {
        IdleServer s = IdleServer.start(ServerConfig.defaults(dir).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false)
                .withDispatch(DispatchLimits.defaults().withMaxQueuedPerUser(maxQueued)));
        if (s.accounts().list().isEmpty()) {
            ServerHostileQueueTest.users(s);
        }
        return s;
    }

    static Message.SweepOpen open(String text, int count) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new Message.SweepOpen("sim.py", b, Sha256.hex(b), List.of(), JobNeeds.NONE,
                WaitPolicy.QUEUE, count);
    }

    /** Opens; returns {request id, sweep id}. */
    static long[] openOk(RawClient c, Message.SweepOpen m) {
        int id = c.nextId();
        c.send(id, m);
        Message r = c.next(id);
        Result.Sweep s = (Result.Sweep) assertInstanceOf(Message.Success.class, r,
                "SWP answered " + r).result();
        assertTrue(s.sweep().open());
        assertEquals(m.taskCount(), s.sweep().taskCount());
        return new long[] {id, s.sweep().sweepId()};
    }

    static List<SweepTask> tasks(int from, int to, java.util.function.IntFunction<String> arg) {
        List<SweepTask> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(SweepTask.of(i, List.of(arg.apply(i))));
        }
        return l;
    }

    /** Reads JSTs of #id until {@code n} distinct tasks ended; returns the last of each task. */
    static Map<Integer, JobSummary> untilEnded(RawClient c, int id, int n) {
        Map<Integer, JobSummary> last = new HashMap<>();
        Set<Integer> ended = new TreeSet<>();
        while (ended.size() < n) {
            Message m = c.next(id);
            JobSummary s = assertInstanceOf(Message.JobEvent.class, m, "on #" + id).job();
            assertTrue(s.inSweep());
            last.put(s.taskIndex(), s);
            if (s.state().isTerminal()) {
                assertTrue(ended.add(s.taskIndex()), "task " + s.taskIndex() + " ended twice");
            }
        }
        return last;
    }

    static SweepSummary sweepOf(RawClient c, long sweepId) {
        Result.SweepPage p = c.requestOk(new Message.SweepList(0, sweepId + 1, 1),
                Result.SweepPage.class);
        assertEquals(sweepId, p.sweeps().get(0).sweepId());
        return p.sweeps().get(0);
    }

    static Message.Failure failure(RawClient c, Message m, FailureKind kind) {
        Message r = c.request(m);
        Message.Failure f = assertInstanceOf(Message.Failure.class, r, m.code() + " answered " + r);
        assertEquals(kind, f.kind(), f.reason());
        return f;
    }

    /**
     * 30 tasks in two batches sent without waiting: each runs once on a lender with its own
     * argument and its place (IDLE_TASK_INDEX/COUNT), the runner hears each task end once, the
     * counts add up, HST lists no task, the tasks' rows hold no script (the sweep's row has it),
     * and once the sweep ended the server keeps no script of it in memory.
     */
    @Test
    void eachTaskRunsOnceWithItsPlaceAndTheScriptIsStoredOnce() throws Exception {
        try (IdleServer s = start("sweep-basic", 10_000);
                RawClient runner = ServerHostileQueueTest.login(s, "alice");
                RawLender lender = new RawLender(s, "lender1", "pw-l1", 4)) {
            long[] o = openOk(runner, open("out hi\nexitarg", 30));
            int id = (int) o[0];
            int b1 = runner.nextId();
            runner.send(b1, new Message.SweepTasks(o[1], tasks(0, 15, i -> i % 7 == 3 ? "2" : "0"),
                    false));
            int b2 = runner.nextId();
            runner.send(b2, new Message.SweepTasks(o[1], tasks(15, 30, i -> i % 7 == 3 ? "2"
                    : "0"), true));
            runner.expect(b1, Message.Success.class);
            runner.expect(b2, Message.Success.class);
            Map<Integer, JobSummary> end = untilEnded(runner, id, 30);
            for (int i = 0; i < 30; i++) {
                JobSummary t = end.get(i);
                assertEquals(i % 7 == 3 ? JobState.FAILED : JobState.SUCCEEDED, t.state(), "" + i);
                assertEquals(o[1], t.sweepId());
            }
            assertEquals(30, lender.runs.size(), "each task ran once");
            for (RawLender.Run r : lender.runs) {
                TaskPosition p = r.exf().task();
                assertEquals(30, p.count());
                assertEquals(p.index() % 7 == 3 ? "2" : "0", r.exf().args().get(0));
            }
            assertEquals(30, lender.runs.stream().map(r -> r.exf().task().index()).distinct()
                    .count());
            assertTrue(Poll.until(() -> sweepOf(runner, o[1]).finishedAt() > 0, WAIT));
            SweepSummary sw = sweepOf(runner, o[1]);
            assertEquals(30, sw.tasks());
            assertEquals(26, sw.succeeded());
            assertEquals(4, sw.failed());
            assertFalse(sw.open());
            Result.JobPage hst = runner.requestOk(new Message.History(null, null, 0, 100),
                    Result.JobPage.class);
            assertTrue(hst.jobs().isEmpty(), "tasks are not jobs of their own: " + hst.jobs());
            Result.JobPage page = runner.requestOk(new Message.SweepList(o[1], 0, 100),
                    Result.JobPage.class);
            assertEquals(30, page.jobs().size());
            List<Job> rows = s.database().inTransaction(tx -> tx.jobs().pageOfSweep("alice", o[1],
                    0, 100));
            for (Job j : rows) {
                assertEquals(0, s.database().inTransaction(tx -> tx.jobs().scriptOf(j.getId()))
                        .orElseThrow().length, "a task row holds no script");
            }
            assertEquals("out hi\nexitarg", new String(s.database().inTransaction(tx -> tx.sweeps()
                    .scriptOf(o[1])).orElseThrow(), StandardCharsets.UTF_8));
            assertTrue(Poll.until(() -> s.coordinator().cachedScriptBytes() == 0, WAIT));
            assertEquals(0, s.coordinator().activeJobs());
            // bob sees nothing of it
            try (RawClient bob = ServerHostileQueueTest.login(s, "bob")) {
                failure(bob, new Message.SweepList(o[1], 0, 10), FailureKind.NOT_FOUND);
                failure(bob, new Message.SweepAttach(o[1], false), FailureKind.NOT_FOUND);
                failure(bob, new Message.SweepRetry(o[1]), FailureKind.NOT_FOUND);
                failure(bob, new Message.SweepCancel(o[1]), FailureKind.NOT_FOUND);
                assertTrue(bob.requestOk(new Message.SweepList(0, 0, 10), Result.SweepPage.class)
                        .sweeps().isEmpty());
            }
        }
    }

    /**
     * A sweep over the server's size limit, or whose tasks with the owner's other jobs would pass
     * the per-user queue cap, is refused whole before anything is stored; the places of tasks
     * announced but never sent are given back when the sweep is closed.
     */
    @Test
    void theDoorCountsEveryTaskAgainstTheLimits() throws Exception {
        try (IdleServer s = start("sweep-door", 50);
                RawClient runner = ServerHostileQueueTest.login(s, "alice");
                RawLender lender = new RawLender(s, "lender1", "pw-l1", 1)) {
            Message.Failure big = failure(runner, open("exit 0", 100_001), FailureKind.LIMIT);
            assertTrue(big.reason().contains("100000"), big.reason());
            failure(runner, open("exit 0", 51), FailureKind.LIMIT);
            long[] first = openOk(runner, open("wait\nexit 0", 40));
            Message.Failure cap = failure(runner, open("exit 0", 11), FailureKind.LIMIT);
            assertTrue(cap.reason().contains("40 jobs queued or running"), cap.reason());
            ServerProtocolTest.submit(runner, ServerProtocolTest.script("wait\nexit 0"));
            failure(runner, open("exit 0", 10), FailureKind.LIMIT);
            // only 5 of the 40 are sent: 35 places come back
            runner.requestOk(new Message.SweepTasks(first[1], tasks(0, 5, i -> "0"), true),
                    Result.Empty.class);
            openOk(runner, open("exit 0", 44));
            failure(runner, open("exit 0", 1), FailureKind.LIMIT);
            assertEquals(0, s.database().inTransaction(tx -> tx.sweeps().page("alice", 0, 10))
                    .stream().filter(x -> x.getTaskCount() > 44).count(), "refused = not stored");
        }
    }

    /** Batches outside the rules are refused and change nothing; the sweep goes on. */
    @Test
    void badBatchesAreRefusedAndLoseNothing() throws Exception {
        try (IdleServer s = start("sweep-bad", 10_000);
                RawClient runner = ServerHostileQueueTest.login(s, "alice");
                RawClient bob = ServerHostileQueueTest.login(s, "bob");
                RawLender lender = new RawLender(s, "lender1", "pw-l1", 2)) {
            long[] o = openOk(runner, open("exit 0", 3));
            failure(runner, new Message.SweepTasks(o[1], tasks(3, 4, i -> "x"), false),
                    FailureKind.INVALID);
            failure(runner, new Message.SweepTasks(o[1], List.of(SweepTask.of(0, List.of()),
                    SweepTask.of(0, List.of())), false), FailureKind.INVALID);
            byte[] data = "1".getBytes(StandardCharsets.UTF_8);
            failure(runner, new Message.SweepTasks(o[1], List.of(new SweepTask(0, List.of(),
                    List.of(new InputFile("../escape", data, Sha256.hex(data))))), false),
                    FailureKind.INVALID);
            failure(runner, new Message.SweepTasks(o[1], List.of(new SweepTask(0, List.of(),
                    List.of(new InputFile("sim.py", data, Sha256.hex(data))))), false),
                    FailureKind.INVALID);
            failure(bob, new Message.SweepTasks(o[1], tasks(0, 1, i -> "x"), false),
                    FailureKind.NOT_FOUND);
            failure(runner, new Message.SweepTasks(o[1] + 99, tasks(0, 1, i -> "x"), false),
                    FailureKind.NOT_FOUND);
            runner.requestOk(new Message.SweepTasks(o[1], tasks(0, 2, i -> "x"), false),
                    Result.Empty.class);
            failure(runner, new Message.SweepTasks(o[1], tasks(1, 2, i -> "x"), false),
                    FailureKind.INVALID);
            runner.requestOk(new Message.SweepTasks(o[1], tasks(2, 3, i -> "x"), true),
                    Result.Empty.class);
            failure(runner, new Message.SweepTasks(o[1], tasks(2, 3, i -> "x"), false),
                    FailureKind.WRONG_STATE);
            untilEnded(runner, (int) o[0], 3);
            assertEquals(3, lender.runs.size());
        }
    }

    /**
     * The connection that sends a sweep's tasks ends half way: the sweep is closed with the tasks
     * it had, which run; the places of the others are given back.
     */
    @Test
    void aSweepWhoseConnectionEndsKeepsTheTasksItHad() throws Exception {
        try (IdleServer s = start("sweep-gone", 100);
                RawLender lender = new RawLender(s, "lender1", "pw-l1", 2)) {
            long sweep;
            try (RawClient runner = ServerHostileQueueTest.login(s, "alice")) {
                sweep = openOk(runner, open("exit 0", 100))[1];
                runner.requestOk(new Message.SweepTasks(sweep, tasks(0, 10, i -> "0"), false),
                        Result.Empty.class);
            }
            try (RawClient again = ServerHostileQueueTest.login(s, "alice")) {
                assertTrue(Poll.until(() -> sweepOf(again, sweep).finishedAt() > 0, WAIT));
                SweepSummary sw = sweepOf(again, sweep);
                assertEquals(10, sw.tasks());
                assertEquals(10, sw.succeeded());
                assertFalse(sw.open());
                openOk(again, open("exit 0", 100)); // every place is free again
                // the attach of a finished sweep replays its tasks and ends
                int a = again.nextId();
                again.send(a, new Message.SweepAttach(sweep, true));
                assertEquals(10, ((Result.Sweep) again.expect(a, Message.Success.class).result())
                        .sweep().succeeded());
                assertEquals(10, untilEnded(again, a, 10).size());
            }
            assertEquals(10, lender.runs.size());
        }
    }

    /** SWC ends every task not ended once, running ones through their lender. */
    @Test
    void cancellingASweepEndsEveryTaskOnce() throws Exception {
        try (IdleServer s = start("sweep-cancel", 10_000);
                RawClient runner = ServerHostileQueueTest.login(s, "alice");
                RawLender lender = new RawLender(s, "lender1", "pw-l1", 2)) {
            long[] o = openOk(runner, open("wait\nexit 0", 6));
            runner.requestOk(new Message.SweepTasks(o[1], tasks(0, 6, i -> "0"), true),
                    Result.Empty.class);
            assertTrue(lender.awaitRuns(2, WAIT));
            Result.Text t = runner.requestOk(new Message.SweepCancel(o[1]), Result.Text.class);
            assertEquals("cancelled 6 tasks of sweep " + o[1], t.text());
            Map<Integer, JobSummary> end = untilEnded(runner, (int) o[0], 6);
            for (JobSummary j : end.values()) {
                assertEquals(JobState.CANCELLED, j.state());
            }
            assertTrue(Poll.until(() -> sweepOf(runner, o[1]).finishedAt() > 0, WAIT));
            assertEquals(6, sweepOf(runner, o[1]).cancelled());
            assertEquals(2, lender.runs.size(), "queued tasks never reached a lender");
            failure(runner, new Message.SweepCancel(o[1]), FailureKind.WRONG_STATE);
        }
    }

    /**
     * SWR runs again only the tasks that did not succeed, with their arguments, indexes and the
     * first sweep's task count; a sweep with nothing to retry, or still running, is refused.
     */
    @Test
    void retryRunsOnlyTheTasksThatFailed() throws Exception {
        try (IdleServer s = start("sweep-retry", 10_000);
                RawClient runner = ServerHostileQueueTest.login(s, "alice");
                RawLender lender = new RawLender(s, "lender1", "pw-l1", 3)) {
            long[] o = openOk(runner, open("exitarg", 8));
            failure(runner, new Message.SweepRetry(o[1]), FailureKind.WRONG_STATE); // running
            runner.requestOk(new Message.SweepTasks(o[1], tasks(0, 8, i -> i == 2 || i == 5 ? "3"
                    : "0"), true), Result.Empty.class);
            untilEnded(runner, (int) o[0], 8);
            assertTrue(Poll.until(() -> sweepOf(runner, o[1]).finishedAt() > 0, WAIT));
            int r = runner.nextId();
            runner.send(r, new Message.SweepRetry(o[1]));
            SweepSummary retry = ((Result.Sweep) runner.expect(r, Message.Success.class).result())
                    .sweep();
            assertEquals(o[1], retry.retryOf());
            assertEquals(2, retry.tasks());
            assertEquals(8, retry.taskCount());
            Map<Integer, JobSummary> end = untilEnded(runner, r, 2);
            assertEquals(Set.of(2, 5), end.keySet());
            List<RawLender.Run> again = lender.runs.subList(8, 10);
            for (RawLender.Run run : again) {
                assertEquals(8, run.exf().task().count());
                assertEquals("3", run.exf().args().get(0));
            }
            assertTrue(Poll.until(() -> sweepOf(runner, retry.sweepId()).finishedAt() > 0, WAIT));
            // a sweep whose tasks all succeeded has nothing to retry
            long[] ok = openOk(runner, open("exit 0", 1));
            runner.requestOk(new Message.SweepTasks(ok[1], tasks(0, 1, i -> "0"), true),
                    Result.Empty.class);
            untilEnded(runner, (int) ok[0], 1);
            assertTrue(Poll.until(() -> sweepOf(runner, ok[1]).finishedAt() > 0, WAIT));
            failure(runner, new Message.SweepRetry(ok[1]), FailureKind.WRONG_STATE);
        }
    }

    /**
     * The server stops with a sweep's tasks queued and one still being sent: after the restart
     * both are there (the open one closed with what it had), and their tasks run once a lender
     * comes.
     */
    @Test
    void sweepsSurviveARestart() throws Exception {
        long sweep;
        long open;
        try (IdleServer s = start("sweep-restart", 10_000);
                RawClient runner = ServerHostileQueueTest.login(s, "alice");
                RawLender busy = new RawLender(s, "lender1", "pw-l1", 1)) {
            // the only slot is taken, so the sweeps' tasks wait in the queue
            ServerProtocolTest.submit(runner, ServerProtocolTest.script("wait\nexit 0"));
            assertTrue(busy.awaitRuns(1, WAIT));
            sweep = openOk(runner, open("out x\nexit 0", 5))[1];
            runner.requestOk(new Message.SweepTasks(sweep, tasks(0, 5, i -> "0"), true),
                    Result.Empty.class);
            open = openOk(runner, open("exit 0", 9))[1];
            runner.requestOk(new Message.SweepTasks(open, tasks(0, 3, i -> "0"), false),
                    Result.Empty.class);
        }
        try (IdleServer s = start(10_000);
                RawClient runner = ServerHostileQueueTest.login(s, "alice")) {
            assertEquals(9, s.coordinator().activeJobs());
            int a = runner.nextId();
            runner.send(a, new Message.SweepAttach(sweep, true));
            SweepSummary sw = ((Result.Sweep) runner.expect(a, Message.Success.class).result())
                    .sweep();
            assertEquals(5, sw.queued());
            assertFalse(sweepOf(runner, open).open());
            assertEquals(3, sweepOf(runner, open).tasks());
            try (RawLender lender = new RawLender(s, "lender1", "pw-l1", 4)) {
                Map<Integer, JobSummary> end = untilEnded(runner, a, 5);
                assertTrue(end.values().stream().allMatch(j -> j.state() == JobState.SUCCEEDED));
                assertTrue(Poll.until(() -> sweepOf(runner, open).finishedAt() > 0, WAIT));
                assertEquals(8, lender.runs.stream().filter(x -> x.exf().task() != null).count());
                assertNull(runner.await(f -> f.code() == Code.FLD, Duration.ZERO));
            }
        }
    }
}
