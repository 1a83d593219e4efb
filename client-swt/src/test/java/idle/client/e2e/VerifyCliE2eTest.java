package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.cli.Cli;
import idle.client.testing.SandboxRequirement;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idle run --verify} (issue 13) against a real server and four real lenders of four
 * accounts running python in the real sandbox: a script that prints a random number verifies on
 * its exit code alone, and without a majority when its stdout is compared, and the command
 * line shows the differences; bad values are refused before anything is sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class VerifyCliE2eTest {
    @TempDir
    static Path dir;
    Fixture fx;
    Path random;

    @BeforeAll
    void start() throws Exception {
        SandboxRequirement.requireBubblewrap();
        fx = new Fixture(dir);
        for (String u : new String[] {"lender1", "lender2", "lender3", "bob"}) {
            fx.lender(u, 1);
        }
        random = fx.script("random.py", "import random\nprint(random.random())\n");
    }

    @AfterAll
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    Cli cli() {
        return new Cli(dir.resolve("client")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD)
                .withEnv("IDLE_SERVER", fx.address()).withEnv("IDLE_USER", "alice");
    }

    @Test
    void badValuesAreRefusedBeforeAnythingIsSent() {
        Cli.Outcome r = cli().run("run", random.toString(), "--verify", "8");
        assertEquals(64, r.code(), r.toString());
        assertTrue(r.err().contains("--verify 8: a job runs on 1 to 7 lenders"), r.err());
        r = cli().run("run", random.toString(), "--verify", "2", "--verify-compare", "exit,bogus");
        assertEquals(64, r.code(), r.toString());
        assertTrue(r.err().contains("unknown part to compare 'bogus'"), r.err());
        r = cli().run("run", random.toString(), "--repeat", "3", "--verify", "2");
        assertEquals(64, r.code(), r.toString());
        assertTrue(r.err().contains("a sweep's tasks are not verified"), r.err());
    }

    @Test
    void aRandomScriptVerifiesOnItsExitCodeButNotOnItsOutput() {
        Cli.Outcome ok = cli().run("run", random.toString(), "--verify", "2", "--verify-compare",
                "exit");
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().matches("0\\.[0-9]+(e-[0-9]+)?\\n"), "one copy of the output: "
                + ok.out());
        assertTrue(ok.err().contains("it runs on 2 lenders of different accounts (comparing "
                + "exit)"), ok.err());
        assertTrue(ok.err().contains("verified 2/2 ✓"), ok.err());

        Cli.Outcome no = cli().run("run", random.toString(), "--verify", "2");
        assertEquals(1, no.code(), no.toString());
        assertEquals("", no.out(), "no output without a majority");
        assertTrue(no.err().contains("unverified: its lenders' results disagree"), no.err());
        assertTrue(no.err().contains("no majority among 4 results (compared "
                + "exit,stdout,stderr,files)"), no.err());
        assertTrue(Pattern.compile("stdout differs at line 1: '0\\.[0-9]+' / '0\\.[0-9]+'")
                .matcher(no.err()).find(), no.err());
        Matcher id = Pattern.compile("idle: job (\\d+) \\(random\\.py\\) unverified").matcher(
                no.err());
        assertTrue(id.find(), no.err());

        Cli.Outcome later = cli().run("output", id.group(1));
        assertTrue(later.err().contains("no majority among 4 results"), later.toString());
        Cli.Outcome jobs = cli().run("jobs", "--limit", "5");
        assertTrue(jobs.out().lines().findFirst().orElse("").endsWith("VOTE"), jobs.out());
        assertTrue(jobs.out().contains("no majority") && jobs.out().contains("2/2 ✓"),
                jobs.out());
    }
}
