package idle.fault;

import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.testing.SandboxRequirement;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault injection at CI size, with real processes: lender processes and the server killed with
 * SIGKILL, a runner's connection cut mid-stream. Nothing may be lost, repeated or garbled. The
 * scenarios are in {@link FaultScenarios}; {@code ./idle bench} runs them larger.
 */
class FaultInjectionTest {
    /** Under target/ (reachable by the sandbox user, unlike a private temp dir). */
    static final Path BASE = Path.of("target", "fault").toAbsolutePath();

    @BeforeAll
    static void needsTheSandbox() {
        SandboxRequirement.requireBubblewrap();
        assertTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3")),
                "python3 is required: apt-get install python3");
    }

    private static FaultScenarios scenarios(String name) {
        idle.bench.BenchFiles.deleteTree(BASE.resolve(name));
        return new FaultScenarios(BASE.resolve(name), line -> System.out.println("fault: " + line));
    }

    @Test
    @Timeout(150)
    void twentyLendersKilledMidJobLoseNothing() throws Exception {
        scenarios("kills").lenderKills(20, System.nanoTime());
    }

    @Test
    @Timeout(300)
    void serverKilledWithAThousandJobsQueuedLosesNothing() throws Exception {
        scenarios("server").serverKill(1_000);
    }

    @Test
    @Timeout(90)
    void runnerCutMidStreamGetsEveryByte() throws Exception {
        scenarios("cut").runnerCut(3, 6_000, System.nanoTime());
    }
}
