package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.lender.JobLog;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.protocol.Sha256;
import idle.shared.testing.Poll;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code idle lend} as a real process: serves jobs, prints a line per job, gives jobs back on SIGTERM. */
@Timeout(120)
class LendProcessE2eTest {
    @TempDir
    Path dir;
    Fixture fx;
    Process lend;
    final List<String> out = new CopyOnWriteArrayList<>();
    final List<String> err = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fx = new Fixture(dir);
    }

    @AfterEach
    void stop() {
        if (lend != null) {
            lend.destroyForcibly();
        }
        fx.close();
    }

    @Test
    void lendServesJobsLogsThemAndGivesRunningOnesBackOnTermination() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path data = dir.resolve("client-data");
        // SIGINT as a terminal's Ctrl-C sends it: a test run started in the background by a
        // shell without job control inherits SIGINT ignored, and the JVM would keep ignoring it
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/env", "--default-signal=INT", java,
                "-cp", System.getProperty("java.class.path"),
                "idle.client.ClientMain", "lend", "--server", fx.address(), "--user", "lender1",
                "--data-dir", data.toString(), "--work-dir", Fixture.WORK_ROOT.toString(),
                "--cpu-seconds", "20", "--timeout", "60", "--max-output-mb", "8");
        pb.environment().put("IDLE_PASSWORD", Fixture.PASSWORD);
        lend = pb.start();
        collect(lend.getInputStream(), out);
        collect(lend.getErrorStream(), err);
        Poll.require(() -> err.stream().anyMatch(l -> l.startsWith("idle: lending;")), Fixture.WAIT,
                "lending");

        RunnerService alice = fx.runner("alice");
        String source = "print('hello from a lent machine')\n";
        Collector c = new Collector();
        FollowedJob hello = alice.submit(JobRequest.of("hello.py", source), c).get();
        assertEquals(JobState.SUCCEEDED, hello.completion().get(30, TimeUnit.SECONDS).state());
        assertEquals("hello from a lent machine\n", c.stdout());
        String sha12 = Sha256.hex(source.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        String expected = "job " + hello.jobId() + " (attempt 1) hello.py sha256 " + sha12 + ": succeeded in ";
        Poll.require(() -> out.stream().anyMatch(l -> l.contains(expected)), Fixture.WAIT,
                "the served line");
        assertFalse(String.join("\n", out).contains("alice"), "never the runner's name");

        Collector sc = new Collector();
        FollowedJob sleeper = alice.submit(JobRequest.of("sleeper.py",
                "import time\nprint('zzz', flush=True)\ntime.sleep(300)\n"), sc).get();
        assertTrue(sc.awaitStdout("zzz", 30_000));
        // Ctrl-C: withdraw and give the running job back.
        new ProcessBuilder("/bin/kill", "-INT", Long.toString(lend.pid())).inheritIO().start().waitFor();
        assertTrue(lend.waitFor(30, TimeUnit.SECONDS), () -> "lend ended\n" + out + "\n" + err);
        JobSummary now = alice.details(sleeper.jobId()).get(10, TimeUnit.SECONDS).summary();
        assertEquals(JobState.QUEUED, now.state(), "given back to the queue: " + now);
        try {
            Poll.require(() -> out.stream().anyMatch(
                    l -> l.contains("withdrawing; giving back 1 running job(s)")), Fixture.WAIT,
                    "the withdrawal line");
        } catch (AssertionError e) {
            throw new AssertionError("exit " + lend.exitValue() + "\n" + out + "\n" + err, e);
        }

        List<String> log = new JobLog(data).lines();
        assertTrue(log.stream().anyMatch(l -> l.contains("\t" + hello.jobId() + "\t1\thello.py\t")
                && l.contains("\tsucceeded\t")), log.toString());
        assertTrue(Files.exists(data.resolve(JobLog.FILE_NAME)));
    }

    static void collect(InputStream in, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        t.setDaemon(true);
        t.start();
    }
}
