package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.cli.Cli;
import idle.client.testing.SandboxRequirement;
import idle.shared.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps (issue 15) from the command line against a real server and real lender agents running
 * python3 in the bubblewrap sandbox: {@code --each} with a failing line, {@code --each-input},
 * {@code jobs}/{@code output --sweep}, {@code --retry-failed}, and {@code cancel --sweep}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class SweepCliE2eTest {
    static final Pattern SWEEP = Pattern.compile("idle: sweep (\\d+): ");
    static final String SIM = """
            import os, sys
            v = int(sys.argv[1])
            i = os.environ['IDLE_TASK_INDEX']
            n = os.environ['IDLE_TASK_COUNT']
            # one write: the sandbox runs python unbuffered, where print('task', i, ...) is a
            # write per piece, and the lender reads stdout and stderr apart, so a piece could
            # land on either side of the stderr line (the order between the two is best-effort)
            sys.stdout.write('task %s value %d\\n' % (i, v))
            if v == 7:
                print('seven is bad', file=sys.stderr)
                sys.exit(3)
            with open('result.txt', 'w') as f:
                f.write('%s of %s: %d\\n' % (i, n, v * v))
            """;

    @TempDir
    static Path dir;
    Fixture fx;
    Path out;
    long firstSweep;

    @BeforeAll
    void start() throws Exception {
        SandboxRequirement.requireBubblewrap();
        fx = new Fixture(dir);
        fx.lender("lender1", 3);
        fx.lender("lender2", 3);
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    Cli cli() {
        return new Cli(dir.resolve("client")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD)
                .withEnv("IDLE_SERVER", fx.address()).withEnv("IDLE_USER", "alice");
    }

    static long sweepId(Cli.Outcome r) {
        Matcher m = SWEEP.matcher(r.err());
        assertTrue(m.find(), r.toString());
        return Long.parseLong(m.group(1));
    }

    /**
     * 20 parameter lines, the one with 7 makes the script exit 3: the summary names task 7, the
     * exit status is 3, and the 19 others' results are in place with their index and count.
     */
    @Test
    @Order(1)
    void aTwentyLineSweepWithOneFailingLine() throws Exception {
        Path sim = fx.script("sim.py", SIM);
        Path params = dir.resolve("params.txt");
        StringBuilder p = new StringBuilder("# value\n");
        for (int i = 0; i < 20; i++) {
            p.append(i).append(i % 5 == 0 ? "\n\n" : "\n");
        }
        Files.writeString(params, p);
        out = dir.resolve("results");
        Cli.Outcome r = cli().run("run", sim.toString(), "--each", params.toString(), "--out",
                out.toString());
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().contains("19 succeeded, 1 failed: task 7\n"), r.err());
        firstSweep = sweepId(r);
        int results = 0;
        for (int i = 0; i < 20; i++) {
            Path result = out.resolve(i + "").resolve("result.txt");
            String log = Files.readString(out.resolve(i + ".out"));
            assertTrue(log.contains("task " + i + " value " + i), log);
            if (i == 7) {
                assertFalse(Files.exists(result), "the failed task wrote no result");
                assertTrue(log.contains("seven is bad"), log);
                continue;
            }
            assertEquals(i + " of 20: " + i * i + "\n", Files.readString(result));
            results++;
        }
        assertEquals(19, results);
        assertEquals("", r.out(), "no task output on stdout without -v");
    }

    /** idle jobs shows the sweep as one row; --sweep lists its tasks; output --sweep saves all. */
    @Test
    @Order(2)
    void theSweepIsOneRowAndItsResultsCanBeFetchedLater() throws Exception {
        Cli.Outcome jobs = cli().run("jobs");
        assertEquals(0, jobs.code(), jobs.toString());
        assertTrue(jobs.out().contains("sweep " + firstSweep), jobs.out());
        assertTrue(jobs.out().contains("done: 19 ok, 1 failed"), jobs.out());
        assertTrue(jobs.out().contains("20 tasks"), jobs.out());
        assertEquals(2, jobs.out().lines().count(), "a header and one row: " + jobs.out());
        Cli.Outcome tasks = cli().run("jobs", "--sweep", "" + firstSweep);
        assertEquals(21, tasks.out().lines().count(), tasks.out());
        assertTrue(tasks.out().lines().anyMatch(l -> l.matches("\\s*\\d+\\s+7\\s+sim.py\\s+failed\\s+3.*")),
                tasks.out());
        Path later = dir.resolve("later");
        Cli.Outcome o = cli().run("output", "--sweep", "" + firstSweep, "--out", later.toString());
        assertEquals(3, o.code(), o.toString());
        assertEquals("0 of 20: 0\n", Files.readString(later.resolve("0").resolve("result.txt")));
        assertEquals(19, countResults(later));
    }

    static int countResults(Path d) throws Exception {
        int n = 0;
        for (int i = 0; i < 100; i++) {
            if (Files.exists(d.resolve(i + "").resolve("result.txt"))) {
                n++;
            }
        }
        return n;
    }

    /** --retry-failed runs task 7 alone again, with its argument, index and count. */
    @Test
    @Order(3)
    void retryFailedRunsTheFailedTaskOnly() throws Exception {
        Cli.Outcome r = cli().run("run", "--retry-failed", "" + firstSweep, "--out",
                out.toString(), "-v");
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().contains("1 tasks of sim.py (retrying sweep " + firstSweep + ")"),
                r.err());
        assertTrue(r.err().contains("0 succeeded, 1 failed: task 7\n"), r.err());
        assertTrue(r.out().contains("==> task 7 "), r.out());
        assertTrue(r.out().contains("task 7 value 7"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.startsWith("==> task")).count(), r.out());
        Cli.Outcome jobs = cli().run("jobs");
        assertTrue(jobs.out().contains("done: 0 ok, 1 failed"), jobs.out());
    }

    /** --each-input: one task per file, the file its input and first argument. */
    @Test
    @Order(4)
    void eachInputOverFiveFiles() throws Exception {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path f = dir.resolve("data").resolve("part" + i + ".csv");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "x\n" + i + "\n" + (i * 10) + "\n");
            files.add(f.toString());
        }
        Path sum = fx.script("sum.py", """
                import sys
                rows = open(sys.argv[1]).read().split()[1:]
                total = sum(int(x) for x in rows)
                open('sum.txt', 'w').write(str(total))
                print(sys.argv[1], total)
                """);
        Path res = dir.resolve("sums");
        List<String> args = new ArrayList<>(List.of("run", sum.toString(), "--each-input"));
        args.addAll(files);
        args.addAll(List.of("--out", res.toString(), "-v"));
        Cli.Outcome r = cli().run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("5 succeeded\n"), r.err());
        for (int i = 0; i < 5; i++) {
            assertEquals("" + (i * 11), Files.readString(res.resolve(i + "").resolve("sum.txt")));
            assertTrue(r.out().contains("part" + i + ".csv " + i * 11), r.out());
        }
        assertEquals(5, r.out().lines().filter(l -> l.startsWith("==> task")).count(), r.out());
    }

    /** cancel --sweep ends what is left; the running command reports every task cancelled. */
    @Test
    @Order(5)
    void cancellingASweepEndsItsCommand() throws Exception {
        Path slow = fx.script("slow.py", "import time\ntime.sleep(60)\n");
        CompletableFuture<Cli.Outcome> run = CompletableFuture.supplyAsync(() -> cli().run("run",
                slow.toString(), "--repeat", "8"));
        long[] id = new long[1];
        String[] last = new String[1];
        boolean seen = Poll.until(() -> {
            if (run.isDone()) {
                throw new AssertionError("the sweep ended early: " + run.join());
            }
            Cli.Outcome j = cli().run("jobs");
            last[0] = j.out();
            Matcher m = Pattern.compile("sweep (\\d+)\\s+slow.py\\s+running: \\d+ queued, [1-9]\\d* running")
                    .matcher(j.out());
            if (m.find()) {
                id[0] = Long.parseLong(m.group(1));
                return true;
            }
            return false;
        }, Fixture.WAIT);
        assertTrue(seen, "the sweep running; jobs: " + last[0]);
        Cli.Outcome c = cli().run("cancel", "--sweep", "" + id[0]);
        assertEquals(0, c.code(), c.toString());
        assertEquals("cancelled 8 tasks of sweep " + id[0] + "\n", c.out());
        Cli.Outcome r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("0 succeeded, 8 cancelled: tasks 0, 1, 2, 3, 4, 5, 6, 7\n"),
                r.err());
        Cli.Outcome again = cli().run("cancel", "--sweep", "" + id[0]);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("already ended"), again.err());
    }
}
