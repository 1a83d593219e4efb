package idle.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedSweep;
import idle.client.runner.RunnerService;
import idle.client.runner.SweepListener;
import idle.client.runner.SweepRequest;
import idle.client.runner.SweepService;
import idle.client.testing.SandboxRequirement;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import idle.shared.model.SweepTask;
import idle.shared.model.WaitPolicy;
import idle.shared.testing.Poll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lender process SIGKILLed while it runs tasks of a sweep (issue 15), with real processes: the
 * server and three lenders are child JVMs, python3 runs in the sandbox. Every task ends exactly
 * once, SUCCEEDED, with its whole output; the tasks the dead lender held ran again elsewhere.
 */
class SweepFaultTest {
    static final Path BASE = Path.of("target", "fault").toAbsolutePath();
    static final String PASSWORD = "sweep-fault-pw";
    static final Duration LONG = Duration.ofSeconds(90);
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void needsTheSandbox() {
        SandboxRequirement.requireBubblewrap();
    }

    @AfterEach
    void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    @Test
    @Timeout(180)
    void aLenderKilledDuringASweepLosesNoTaskAndRepeatsNone() throws Exception {
        idle.bench.BenchFiles.deleteTree(BASE.resolve("sweep-kill"));
        Path dir = BASE.resolve("sweep-kill");
        Path data = dir.resolve("server");
        Accounts.create(data, 1_000, PASSWORD, List.of("runner", "lenderA", "lenderB", "lenderC"));
        ServerProcess server = ServerProcess.fromClasspath(data, "127.0.0.1", 0, List.of());
        closeables.add(server);
        List<LenderProcess> lenders = new ArrayList<>();
        for (String u : List.of("lenderA", "lenderB", "lenderC")) {
            lenders.add(lender(dir, u, server.address(), u));
        }
        ServerConnection c = ServerConnection.connect(ServerAddress.parse(server.address()),
                new Credentials("runner", PASSWORD.toCharArray()), ConnectionOptions.defaults()
                        .withInsecurePlaintext(true).withMaxBackoff(Duration.ofMillis(300)), null);
        closeables.add(c);
        RunnerService runner = new RunnerService(c);
        Poll.require(() -> {
            try {
                return runner.pool().get(10, TimeUnit.SECONDS).lendersOnline() >= 3;
            } catch (Exception e) {
                return false;
            }
        }, LONG, "3 lenders online");
        int tasks = 12;
        byte[] script = """
                import os, sys, time
                i = int(os.environ['IDLE_TASK_INDEX'])
                for k in range(15):
                    print('task', i, 'line', k, flush=True)
                    time.sleep(0.1)
                """.getBytes(StandardCharsets.UTF_8);
        List<SweepTask> list = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            list.add(SweepTask.of(i, List.of()));
        }
        Map<Integer, AtomicInteger> ends = new ConcurrentHashMap<>();
        SweepService sweeps = new SweepService(c);
        FollowedSweep sweep = sweeps.submit(new SweepRequest("slow.py", script, List.of(), list,
                JobNeeds.NONE, WaitPolicy.QUEUE), new SweepListener() {
                    @Override
                    public void taskEnded(JobSummary t) {
                        ends.computeIfAbsent(t.taskIndex(), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                }).get(30, TimeUnit.SECONDS);
        // kill the first lender seen running a task of the sweep, mid-task
        LenderProcess[] victim = new LenderProcess[1];
        Poll.require(() -> {
            for (LenderProcess l : lenders) {
                if (l.lines().stream().anyMatch(x -> x.contains(": started"))) {
                    victim[0] = l;
                    return true;
                }
            }
            return false;
        }, LONG, "a lender running a task");
        victim[0].kill();
        lenders.add(lender(dir, "lenderA2", server.address(), victim[0].name().startsWith("lenderA")
                ? "lenderA" : victim[0].name().startsWith("lenderB") ? "lenderB" : "lenderC"));
        Map<Integer, JobSummary> end = sweep.completion().get(120, TimeUnit.SECONDS);
        assertEquals(tasks, end.size());
        for (int i = 0; i < tasks; i++) {
            assertEquals(JobState.SUCCEEDED, end.get(i).state(), "task " + i + ": " + end.get(i));
            assertEquals(1, ends.get(i).get(), "task " + i + " ended once");
        }
        assertTrue(end.values().stream().anyMatch(t -> t.attempts() > 1),
                "a task of the killed lender ran again: " + end.values());
        // the server agrees: 12 tasks, each once, each with its whole output
        List<JobSummary> stored = sweeps.allTasks(sweep.sweepId()).get(30, TimeUnit.SECONDS);
        assertEquals(tasks, stored.size());
        for (JobSummary t : stored) {
            assertEquals(JobState.SUCCEEDED, t.state());
            Path out = dir.resolve("out-" + t.taskIndex());
            runner.saveOutput(t.jobId(), out).get(30, TimeUnit.SECONDS);
            StringBuilder want = new StringBuilder();
            for (int k = 0; k < 15; k++) {
                want.append("task ").append(t.taskIndex()).append(" line ").append(k).append('\n');
            }
            assertEquals(want.toString(), java.nio.file.Files.readString(out));
        }
        Poll.require(() -> {
            try {
                SweepSummary s = sweeps.sweeps(0, 1).get(10, TimeUnit.SECONDS).sweeps().get(0);
                return s.finishedAt() > 0 && s.succeeded() == tasks;
            } catch (Exception e) {
                return false;
            }
        }, LONG, "the sweep recorded as finished with 12 successes");
    }

    private LenderProcess lender(Path dir, String name, String address, String user)
            throws Exception {
        LenderProcess l = LenderProcess.start(name, address, user, PASSWORD, 2,
                dir.resolve("lender-" + name), dir.resolve("work"));
        closeables.add(l);
        return l;
    }
}
