package idle.client.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File names that come from the network never land outside the chosen directory. */
class SafeNamesTest {
    @TempDir
    Path dir;

    @Test
    void relativeNamesResolveUnderTheDirectory() throws IOException {
        assertEquals(dir.resolve("out/a.txt").toAbsolutePath(), RunnerService.safeResolve(dir, "out/a.txt"));
    }

    @Test
    void namesThatWouldEscapeAreRefused() {
        for (String bad : List.of("../x", "x/../b.bin", "/etc/passwd", "a/../../x", "..", ".", "", "a\\b", "a\0b")) {
            assertThrows(IOException.class, () -> RunnerService.safeResolve(dir, bad), bad);
        }
    }

    @Test
    void submittedFileNamesMustBePlain() {
        for (String bad : List.of("../x.py", "a/b.py", "", ".", "..")) {
            assertThrows(IllegalArgumentException.class, () -> JobRequest.of(bad, "print(1)"), bad);
        }
        JobRequest ok = JobRequest.of("ok.py", "print(1)");
        assertThrows(IllegalArgumentException.class, () -> ok.withInputs(List.of(
                new idle.shared.model.InputFile("ok.py", new byte[0], idle.shared.protocol.Sha256.hex(new byte[0])))),
                "an input may not shadow the script");
    }
}
