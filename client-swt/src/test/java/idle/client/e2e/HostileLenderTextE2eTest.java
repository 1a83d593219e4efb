package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.cli.Cli;
import idle.client.net.ExchangeHandler;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile lender (the test plays it with the real client connection and the real protocol, no
 * sandbox) fails every job with a reason full of terminal escape sequences, and writes some to the
 * job's stdout. The runner's terminal gets the reason with its control characters replaced, while
 * the job's own output stays byte for byte (issue 11, hole 14).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class HostileLenderTextE2eTest {
    /** Retitles an xterm and clears the screen. */
    static final String HOSTILE = "\u001b]0;pwned\u0007\u001b[2J";
    static final String OUTPUT = "\u001b[1mbold\u001b[0m\n";

    @TempDir
    static Path dir;
    Fixture fx;

    @BeforeAll
    void start() throws Exception {
        fx = new Fixture(dir);
        ServerConnection lender = fx.connect("lender1");
        lender.setServerRequestHandler((c, id, m) -> {
            if (m instanceof Message.Execute x) {
                failWithEscapes(c, id, x);
            }
        });
        lender.call(new Message.MakeLender(new LenderCapabilities("3.11", 1, 1024, 1, 60, 256, 60,
                16, "none: a test double", false))).get(20, TimeUnit.SECONDS);
    }

    private static void failWithEscapes(ServerConnection c, int id, Message.Execute x) {
        try {
            var ex = c.adopt(id, new ExchangeHandler() {
                @Override
                public void onMessage(idle.client.net.Exchange e, Message m) {
                    // acknowledgements and the server's SCF for FIN: nothing to do
                }

                @Override
                public void onConnectionLost(idle.client.net.Exchange e, IOException cause) {
                }
            });
            ex.send(new Message.Success(new Result.Empty()));
            ex.send(new Message.Output(x.jobId(), 0, StreamKind.STDOUT, OUTPUT.getBytes(StandardCharsets.UTF_8)));
            ex.send(new Message.Finished(x.jobId(), x.attempt(), new JobOutcome.Error(HOSTILE),
                    ResourceUse.NONE));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    void stop() {
        fx.close();
    }

    @Test
    void theCommandLinePrintsTheReasonWithoutItsEscapesAndTheOutputAsItIs() throws Exception {
        Path s = fx.script("victim.py", "print('never runs')\n");
        Cli.Outcome r = new Cli(dir.resolve("client")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD)
                .withEnv("IDLE_SERVER", fx.address()).withEnv("IDLE_USER", "alice").run("run", s.toString());
        assertEquals(1, r.code(), r.toString());
        // the server drops the control characters before it stores the reason (issue 11, hole
        // 14d); the runner would show any that came as U+FFFD
        assertTrue(r.err().contains("(victim.py) failed: the lender could not run it: ]0;pwned[2J"),
                r.err());
        assertFalse(r.err().contains("\u001b") || r.err().contains("\u0007"), "no escape reaches stderr: " + r.err());
        assertEquals(OUTPUT, r.out(), "the job's own stdout is written as it is");
    }

    @Test
    void theRunnerServiceHandsOutPrintableReasonsForTheWorkbench() throws Exception {
        RunnerService alice = fx.runner("alice");
        Collector c = new Collector();
        FollowedJob job = alice.submit(JobRequest.of("victim.py", "print(1)\n"), c).get(20, TimeUnit.SECONDS);
        JobSummary end = job.completion().get(30, TimeUnit.SECONDS);
        assertEquals(JobState.FAILED, end.state());
        assertPrintable(end.reason());
        assertTrue(c.states.stream().allMatch(st -> st.reason().chars().noneMatch(ch -> ch == 0x1b)), c.states.toString());
        assertPrintable(alice.details(end.jobId()).get(10, TimeUnit.SECONDS).summary().reason());
        var page = alice.history(null, null, 0, 10).get(10, TimeUnit.SECONDS);
        assertTrue(page.jobs().stream().anyMatch(j -> j.jobId() == end.jobId()));
        page.jobs().forEach(j -> assertPrintable(j.reason()));
    }

    private static void assertPrintable(String reason) {
        assertTrue(reason.contains("]0;pwned"), reason); // the server took the ESC out
        assertFalse(reason.contains("\u001b") || reason.contains("\u0007"), reason);
    }
}
