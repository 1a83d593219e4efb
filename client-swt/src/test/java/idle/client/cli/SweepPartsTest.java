package idle.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.runner.ShellWords;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of {@code idle run --each}: splitting lines, the tasks made, the progress line. */
class SweepPartsTest {
    @TempDir
    Path dir;

    @Test
    void linesSplitLikeAShell() {
        assertEquals(List.of("--name", "two words", "it's", "a\"b", "$x", "c d"),
                ShellWords.split("  --name \"two words\"  it\\'s 'a\"b' \"\\$x\" c\\ d "));
        assertEquals(List.of("", "x"), ShellWords.split("'' x"));
        assertEquals(List.of(), ShellWords.split("   "));
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split("'open"));
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split("\"open"));
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split("end\\"));
    }

    @Test
    void eachNonEmptyLineIsATaskCommentsAndBlanksAreNot() throws Exception {
        Path p = Files.writeString(dir.resolve("p.txt"), "# alpha beta\n0.1 2\n\n   \n0.2 'x y'\n");
        var tasks = SweepSpec.ofLines(SweepSpec.eachLine(p), List.of("--steps", "9"));
        assertEquals(2, tasks.size());
        assertEquals(List.of("0.1", "2", "--steps", "9"), tasks.get(0).args());
        assertEquals(List.of("0.2", "x y", "--steps", "9"), tasks.get(1).args());
        assertEquals(1, tasks.get(1).index());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "ok\n'broken\n");
        CliExit e = assertThrows(CliExit.class, () -> SweepSpec.eachLine(bad));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        Path none = Files.writeString(dir.resolve("none.txt"), "# only a comment\n\n");
        assertThrows(CliExit.class, () -> SweepSpec.eachLine(none));
    }

    @Test
    void theProgressLineCountsAndEstimates() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        SweepProgress p = new SweepProgress(new PrintStream(b, true, StandardCharsets.UTF_8),
                false, System.nanoTime());
        p.sweep(12, 10);
        for (int i = 0; i < 4; i++) {
            p.changed(task(i, JobState.SUCCEEDED));
        }
        p.changed(task(4, JobState.FAILED));
        p.changed(task(5, JobState.RUNNING));
        p.changed(task(4, JobState.RUNNING)); // a late event never undoes an end
        assertEquals("sweep 12: 10 tasks: 4 queued, 1 running, 4 done, 1 failed; 0:10 elapsed, "
                + "about 0:10 left", p.line(10_000));
        assertEquals("", b.toString(StandardCharsets.UTF_8), "nothing drawn off a terminal");
        p.finish();
        assertTrue(b.toString(StandardCharsets.UTF_8).startsWith("sweep 12: 10 tasks: "));
        assertEquals("1:01:01", SweepProgress.clock(3_661_000));
    }

    static JobSummary task(int i, JobState s) {
        return new JobSummary(100 + i, "sim.py", s, null, null, "", "", 1, 1, 1, 0, 0, 12, i);
    }
}
