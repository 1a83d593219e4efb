package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.cli.Cli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
 * The runner command line against a real server and real lenders, in-process through picocli with
 * captured streams (and once as a real process): exit codes, streaming, --detach, files saved.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class CliE2eTest {
    @TempDir
    static Path dir;
    Fixture fx;

    @BeforeAll
    void start() throws Exception {
        fx = new Fixture(dir);
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    Cli cli() {
        return new Cli(dir.resolve("client")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD)
                .withEnv("IDLE_SERVER", fx.address()).withEnv("IDLE_USER", "alice");
    }

    @Test
    @Order(1)
    void nlaExits75WithTheReason() throws Exception {
        Path s = fx.script("any.py", "print('x')\n");
        Cli.Outcome r = cli().run("run", s.toString());
        assertEquals(75, r.code(), r.toString());
        assertTrue(r.err().contains("any.py: no lender available: "), r.err());
        assertEquals("", r.out());
    }

    @Test
    @Order(2)
    void aFailedLoginExits77() throws Exception {
        Path s = fx.script("any.py", "print('x')\n");
        Cli.Outcome r = cli().withEnv("IDLE_PASSWORD", "nope").run("run", s.toString());
        assertEquals(77, r.code(), r.toString());
        assertTrue(r.err().contains("wrong user name or password"), r.err());
        Cli.Outcome j = cli().withEnv("IDLE_PASSWORD", "nope").run("jobs");
        assertEquals(77, j.code());
    }

    @Test
    @Order(2)
    void aJobOverTheRequestLimitExits65WithOneLineNamingTheLimit() throws Exception {
        // A 1 MiB script and a 3.5 MiB input: 4.5 MiB, over the 4 MiB one request carries.
        Path big = fx.script("big.py", "print('big')\n" + "#".repeat((1 << 20) - 13) + "\n");
        Path input = dir.resolve("big.bin");
        Files.write(input, new byte[7 << 19]);
        Cli.Outcome r = cli().run("run", big.toString(), "--input", input.toString());
        assertEquals(65, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("idle: big.py: "), r.err());
        assertTrue(r.err().contains("the largest request IDLE can send is 4 MiB"), r.err());
        assertTrue(r.err().contains("split the data across several jobs"), r.err());
        assertTrue(!r.err().contains("internal error") && !r.err().contains("Exception"), r.err());
        assertEquals("", r.out());
        Cli.Outcome jobs = cli().run("jobs");
        assertTrue(!jobs.out().contains("big.py"), "nothing was submitted: " + jobs.out());

        // Under 4 MiB but over the server's own 1 MiB script limit: the server's FLD says so.
        Path large = fx.script("large.py", "#".repeat(3 << 19) + "\n");
        Cli.Outcome l = cli().run("run", large.toString());
        assertEquals(65, l.code(), l.toString());
        assertEquals(1, l.err().lines().count(), "one line: " + l.err());
        assertTrue(l.err().contains("large.py: not submitted: ") && l.err().contains("the limit is 1 MiB"),
                l.err());
    }

    @Test
    @Order(3)
    void successExits0AndStreamsStdoutAndStderrApartInOrder() throws Exception {
        fx.lender("lender1", 2);
        fx.lender("lender2", 2);
        Path s = fx.script("order.py", """
                import sys
                print('one', flush=True)
                print('two', file=sys.stderr, flush=True)
                print('three')
                """);
        Cli.Outcome r = cli().run("run", s.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("one\nthree\n", r.out());
        assertEquals("two\n", r.err());
    }

    @Test
    @Order(4)
    void theFirstFailedScriptsExitCodeIsTheExitStatus() throws Exception {
        Path ok = fx.script("ok.py", "print('fine')\nprint('second line')\n");
        Path five = fx.script("five.py", "import sys\nprint('bad', file=sys.stderr)\nsys.exit(5)\n");
        Path six = fx.script("six.py", "import sys\nsys.exit(6)\n");
        Cli.Outcome r = cli().run("run", ok.toString(), five.toString(), six.toString());
        assertEquals(5, r.code(), r.toString());
        // Several scripts: each line carries its script's name.
        assertEquals(List.of("[ok.py] fine", "[ok.py] second line"), r.out().lines().toList());
        assertTrue(r.err().contains("[five.py] bad\n"), r.err());
        assertTrue(r.err().contains("(five.py) failed with exit code 5"), r.err());
        assertTrue(r.err().contains("(six.py) failed with exit code 6"), r.err());

        Cli.Outcome single = cli().run("run", six.toString());
        assertEquals(6, single.code());
    }

    @Test
    @Order(5)
    void argumentsInputsAndOutputFilesSavedUnderTheJobId() throws Exception {
        Path s = fx.script("io.py", """
                import sys, os
                print(sys.argv[1:])
                text = open('words.txt').read()
                os.makedirs('res', exist_ok=True)
                open('res/upper.txt', 'w').write(text.upper())
                open('count.txt', 'w').write(str(len(text.split())))
                """);
        Path input = Files.writeString(dir.resolve("words.txt"), "alpha beta gamma");
        Path out = dir.resolve("results");
        Cli.Outcome r = cli().run("run", s.toString(), "--input", input.toString(), "--out",
                out.toString(), "--", "a", "b c");
        assertEquals(0, r.code(), r.toString());
        assertEquals("['a', 'b c']\n", r.out());
        long id = savedJobId(r.err());
        assertEquals("ALPHA BETA GAMMA", Files.readString(out.resolve(id + "/res/upper.txt")));
        assertEquals("3", Files.readString(out.resolve(id + "/count.txt")));
        try (Stream<Path> files = Files.walk(out.resolve(Long.toString(id)))) {
            assertEquals(2, files.filter(Files::isRegularFile).count(), "only the files it wrote");
        }
        // Later, `output` replays the output and fetches the files again.
        Path later = dir.resolve("later");
        Cli.Outcome o = cli().run("output", Long.toString(id), "--files", later.toString());
        assertEquals(0, o.code(), o.toString());
        assertEquals("['a', 'b c']\n", o.out());
        assertEquals("ALPHA BETA GAMMA", Files.readString(later.resolve(id + "/res/upper.txt")));
    }

    @Test
    @Order(6)
    void detachPrintsTheJobIdAndReturnsAtOnceThenOutputAndJobsShowIt() throws Exception {
        Path s = fx.script("slow.py", """
                import time
                print('started', flush=True)
                time.sleep(3)
                print('finished')
                """);
        long t0 = System.nanoTime();
        Cli.Outcome r = cli().run("run", "--detach", s.toString());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(0, r.code(), r.toString());
        assertTrue(ms < 3000, "returned after " + ms + " ms");
        Matcher m = Pattern.compile("^(\\d+)\tslow\\.py\t(queued|running)").matcher(r.out());
        assertTrue(m.find(), r.out());
        long id = Long.parseLong(m.group(1));

        Cli.Outcome jobs = cli().run("jobs", "--limit", "5");
        assertEquals(0, jobs.code(), jobs.toString());
        assertTrue(jobs.out().startsWith("ID"), jobs.out());
        assertTrue(jobs.out().contains("SCRIPT") && jobs.out().contains("LENDER"), jobs.out());
        assertTrue(jobs.out().lines().anyMatch(l -> l.trim().startsWith(id + "  slow.py")), jobs.out());

        Cli.Outcome follow = cli().run("output", Long.toString(id), "--follow");
        assertEquals(0, follow.code(), follow.toString());
        assertEquals("started\nfinished\n", follow.out());

        Cli.Outcome again = cli().run("output", Long.toString(id));
        assertEquals("started\nfinished\n", again.out());
        Cli.Outcome other = new Cli(dir.resolve("bob")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD)
                .withEnv("IDLE_SERVER", fx.address()).withEnv("IDLE_USER", "bob")
                .run("output", Long.toString(id));
        assertEquals(1, other.code(), "bob cannot read alice's job: " + other);
    }

    @Test
    @Order(7)
    void cancelStopsARunningJob() throws Exception {
        Path s = fx.script("forever.py", "import time\nprint('up', flush=True)\ntime.sleep(600)\n");
        Cli.Outcome r = cli().run("run", "--detach", s.toString());
        long id = Long.parseLong(r.out().split("\t")[0]);
        Cli.Outcome c = cli().run("cancel", Long.toString(id));
        assertEquals(0, c.code(), c.toString());
        assertEquals("cancelled job " + id + "\n", c.out());
        Cli.Outcome out = cli().run("output", Long.toString(id), "--follow");
        assertEquals(1, out.code(), out.toString());
        assertTrue(out.err().contains("cancelled"), out.err());
        Cli.Outcome missing = cli().run("cancel", "987654321");
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("idle: job 987654321: "), missing.err());
        Cli.Outcome list = cli().run("jobs", "--state", "cancelled");
        assertTrue(list.out().lines().anyMatch(l -> l.trim().startsWith(id + "  forever.py")), list.out());
    }

    @Test
    @Order(8)
    void theShadedMainRunsAsARealProcess() throws Exception {
        Path s = fx.script("real.py", "import sys\nprint('from a real process')\nsys.exit(7)\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "idle.client.ClientMain", "run", "--server", fx.address(), "--user", "alice",
                s.toString());
        pb.environment().put("IDLE_PASSWORD", Fixture.PASSWORD);
        pb.redirectErrorStream(false);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(7, p.exitValue(), out + err);
        assertEquals("from a real process\n", out);
    }

    private static long savedJobId(String err) {
        Matcher m = Pattern.compile("saved \\d+ file\\(s\\) of job (\\d+)").matcher(err);
        assertTrue(m.find(), err);
        return Long.parseLong(m.group(1));
    }
}
