package idle.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention's rules on real directories, with the clock set to a fixed "now". */
public class OutputRetentionTest {
    static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    @TempDir
    Path data;

    Path spool(long id, Instant at) throws Exception {
        Path d = Files.createDirectories(data.resolve("spool/" + id + "/files/sub"));
        Files.writeString(d.resolve("result.txt"), "x".repeat(100));
        Files.writeString(data.resolve("spool/" + id + "/output"), "y".repeat(50));
        age(data.resolve("spool/" + id), at);
        return data.resolve("spool/" + id);
    }

    Path inputs(long id, Instant at) throws Exception {
        Path d = Files.createDirectories(data.resolve("inputs/" + id));
        Files.writeString(d.resolve("seed.txt"), "42");
        age(d, at);
        return d;
    }

    /** Sets the modification time of everything under {@code root} to {@code at}. */
    public static void age(Path root, Instant at) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(at));
            }
        }
    }

    OutputRetention retention(Duration keep, Set<Long> active) {
        return new OutputRetention(data.resolve("spool"), data.resolve("inputs"), keep,
                active::contains, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void oldOutputsOfEndedJobsGoAndLeaveAMarkerActiveAndRecentOnesStay() throws Exception {
        Path old = spool(1, NOW.minus(Duration.ofDays(31)));
        Path oldButActive = spool(2, NOW.minus(Duration.ofDays(40)));
        Path recent = spool(3, NOW.minus(Duration.ofDays(29)));
        Path touchedLately = spool(4, NOW.minus(Duration.ofDays(60)));
        Files.setLastModifiedTime(touchedLately.resolve("files/sub/result.txt"),
                FileTime.from(NOW.minus(Duration.ofDays(1))));
        Files.createDirectories(data.resolve("spool/not-a-job"));

        OutputRetention r = retention(Duration.ofDays(30), Set.of(2L));
        OutputRetention.Sweep s = r.sweep();

        assertEquals(1, s.outputDirs());
        assertEquals(150, s.bytes());
        try (Stream<Path> left = Files.list(old)) {
            assertEquals(Set.of(old.resolve(OutputRetention.PURGED)), Set.copyOf(left.toList()));
        }
        assertTrue(r.purgedNote(1).orElseThrow().contains("job 1 was deleted on 2026-11-28"),
                r.purgedNote(1).toString());
        assertTrue(r.purgedNote(1).orElseThrow().contains("30 days"));
        for (Path kept : new Path[] {oldButActive, recent, touchedLately}) {
            assertTrue(Files.exists(kept.resolve("output")), kept + " kept");
            assertTrue(r.purgedNote(Long.parseLong(kept.getFileName().toString())).isEmpty());
        }
        assertTrue(Files.isDirectory(data.resolve("spool/not-a-job")), "not ours: left alone");
        assertEquals(0, r.sweep().outputDirs(), "a purged job is purged once");
    }

    @Test
    void inputsGoAsSoonAsTheirJobEndedButNotWhileItMayStillBeStored() throws Exception {
        Path ended = inputs(7, NOW.minus(Duration.ofHours(2)));
        Path active = inputs(8, NOW.minus(Duration.ofHours(2)));
        Path justWritten = inputs(9, NOW.minus(Duration.ofMinutes(1)));

        OutputRetention.Sweep s = retention(Duration.ZERO, Set.of(8L)).sweep();

        assertEquals(1, s.inputDirs());
        assertFalse(Files.exists(ended));
        assertTrue(Files.exists(active.resolve("seed.txt")));
        assertTrue(Files.exists(justWritten.resolve("seed.txt")),
                "its job may not be active yet: the insert commits after the files are written");
    }

    @Test
    void zeroRetentionKeepsOutputsForever() throws Exception {
        Path ancient = spool(5, NOW.minus(Duration.ofDays(3650)));
        assertEquals(0, retention(Duration.ZERO, Set.of()).sweep().outputDirs());
        assertTrue(Files.exists(ancient.resolve("output")));
    }

    @Test
    void aSweepsInputsStayWhileASweepReadsThemAndAWeekAfter() throws Exception {
        Path used = Files.createDirectories(data.resolve("inputs/sweep-7/3"));
        Files.writeString(used.resolve("part3.csv"), "1,2");
        age(data.resolve("inputs/sweep-7"), NOW.minus(Duration.ofDays(60)));
        Path old = Files.createDirectories(data.resolve("inputs/sweep-8/shared"));
        Files.writeString(old.resolve("grid.csv"), "3");
        age(data.resolve("inputs/sweep-8"), NOW.minus(Duration.ofDays(8)));
        Path recent = Files.createDirectories(data.resolve("inputs/sweep-9/0"));
        Files.writeString(recent.resolve("a.csv"), "4");
        age(data.resolve("inputs/sweep-9"), NOW.minus(Duration.ofDays(6)));
        OutputRetention r = retention(Duration.ZERO, Set.of());
        assertEquals(0, r.sweep().inputDirs(), "nothing is deleted before the coordinator says "
                + "which sweeps read their inputs");
        r.sweepInputs(id -> id == 7);
        assertEquals(1, r.sweep().inputDirs());
        assertTrue(Files.exists(used), "a sweep still reads it");
        assertFalse(Files.exists(data.resolve("inputs/sweep-8")), "unused for over a week");
        assertTrue(Files.exists(recent), "kept a week for a retry of its failed tasks");
        // a longer output retention keeps them as long as the outputs
        Path longer = Files.createDirectories(data.resolve("inputs/sweep-10/0"));
        age(data.resolve("inputs/sweep-10"), NOW.minus(Duration.ofDays(20)));
        OutputRetention month = retention(Duration.ofDays(30), Set.of());
        month.sweepInputs(id -> false);
        month.sweep();
        assertTrue(Files.exists(longer));
    }
}
