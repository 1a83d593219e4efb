package idle.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The short fuzzing run of {@code ./idle test}: at least 100,000 frames to a real server (and as
 * many inputs to the codec in-process), bounded in time; the server must neither crash nor hang,
 * and must serve a normal login afterwards. The long run is {@code ./idle fuzz --minutes N}.
 * Seed: {@code -Didle.fuzz.seed=S} (fixed by default, so a failure repeats).
 */
class FuzzTest {
    @Test
    void randomAndMutatedFramesNeitherCrashNorHangTheServer() throws Exception {
        long seed = Long.getLong("idle.fuzz.seed", 20_191_128L);
        long frames = Long.getLong("idle.fuzz.frames", 100_000L);
        FuzzRun.Report r = FuzzRun.run(new FuzzRun.Options(seed, 100_000, frames,
                Duration.ofMinutes(6), 16, false, Path.of("target").toAbsolutePath()), System.out);
        assertTrue(r.problems().isEmpty(), String.join("\n\n", r.problems()));
        assertTrue(r.loginAfterwards(), "a normal login after fuzzing");
        assertTrue(r.codecInputs() >= 100_000, r.summary());
        assertTrue(r.serverFrames() >= frames, "only " + r.summary());
    }
}
