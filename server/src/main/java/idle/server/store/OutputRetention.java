package idle.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the server's disk from filling up with what ended jobs left behind, in the data
 * directory's {@code inputs/JOB} and {@code spool/JOB} directories:
 * <ul>
 * <li>the input files of a job that is no longer queued or running are deleted (they are only
 *     read to dispatch it); a directory younger than {@link #INPUT_MARGIN} is left alone, since
 *     a job's inputs are written just before the job becomes active;
 * <li>a sweep's input files ({@code inputs/sweep-ID}, shared and per task) once no sweep with
 *     tasks to run reads them and nothing in them changed for {@link #SWEEP_INPUT_KEEP} (or the
 *     output retention when longer): a retry of its failed tasks reads them until then;
 * <li>the spooled output and output files of an ended job are deleted once nothing in them
 *     changed for the retention period, and a {@value #PURGED} marker records when, so a runner
 *     who asks for them is told why they are gone ({@link #purgedNote}). The job's row stays in
 *     the history.
 * </ul>
 * Whether a job is active is asked of the coordinator; an active job is never touched.
 *
 * <p>Thread: {@link #sweep} may run on any thread; {@link #start} runs one sweep at once and then
 * one per period on a daemon thread, until {@link #close}.
 */
public final class OutputRetention implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutputRetention.class.getName());
    /** The marker left in a purged job's spool directory; its text is the time of the purge. */
    public static final String PURGED = "PURGED";
    /** Input directories younger than this are never deleted (see the class comment). */
    static final Duration INPUT_MARGIN = Duration.ofMinutes(10);
    /**
     * How long a sweep's inputs ({@code inputs/sweep-ID}) are kept after their last change once
     * no sweep reads them, at least: a retry of the sweep's failed tasks reads them. The output
     * retention when it is longer.
     */
    static final Duration SWEEP_INPUT_KEEP = Duration.ofDays(7);
    static final String SWEEP_PREFIX = "sweep-";
    private volatile LongPredicate sweepInputsInUse = id -> true;

    private final Path spoolRoot;
    private final Path inputsRoot;
    private final Duration retention;
    private final LongPredicate isActive;
    private final Clock clock;
    private ScheduledExecutorService timer;

    /** What one sweep deleted. */
    public record Sweep(int inputDirs, int outputDirs, long bytes) {
    }

    /**
     * @param retention how long an ended job's output is kept after its last change; zero keeps
     *     outputs forever (inputs of ended jobs are deleted regardless)
     * @param isActive whether a job id is queued or running (the coordinator's view)
     */
    public OutputRetention(Path spoolRoot, Path inputsRoot, Duration retention,
            LongPredicate isActive, Clock clock) {
        this.spoolRoot = spoolRoot;
        this.inputsRoot = inputsRoot;
        this.retention = retention;
        this.isActive = isActive;
        this.clock = clock;
    }

    /** One sweep now, then one every {@code period} on a daemon thread. */
    public synchronized void start(Duration period) {
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("idle-retention").daemon(true).factory());
        timer.scheduleWithFixedDelay(this::sweepAndLog, 0, period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void sweepAndLog() {
        try {
            Sweep s = sweep();
            if (s.inputDirs() > 0 || s.outputDirs() > 0) {
                LOG.info(() -> "retention: deleted the inputs of " + s.inputDirs()
                        + " ended jobs and the outputs of " + s.outputDirs() + " jobs ended over "
                        + retention.toDays() + " days ago (" + s.bytes() / (1024 * 1024)
                        + " MiB)");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "retention sweep failed", e);
        }
    }

    /** Deletes what is due now; see the class comment. */
    public Sweep sweep() {
        Instant now = clock.instant();
        int inputs = 0;
        int outputs = 0;
        long bytes = 0;
        for (Path dir : jobDirs(inputsRoot)) {
            long id = Long.parseLong(dir.getFileName().toString());
            if (!isActive.test(id) && newest(dir).isBefore(now.minus(INPUT_MARGIN))) {
                bytes += deleteTree(dir);
                inputs++;
            }
        }
        Duration sweepKeep = retention.isZero() || retention.compareTo(SWEEP_INPUT_KEEP) < 0
                ? SWEEP_INPUT_KEEP : retention;
        for (Path dir : sweepDirs(inputsRoot)) {
            long id = Long.parseLong(dir.getFileName().toString().substring(SWEEP_PREFIX.length()));
            if (!sweepInputsInUse.test(id) && newest(dir).isBefore(now.minus(sweepKeep))) {
                bytes += deleteTree(dir);
                inputs++;
            }
        }
        if (!retention.isZero()) {
            for (Path dir : jobDirs(spoolRoot)) {
                long id = Long.parseLong(dir.getFileName().toString());
                if (!isActive.test(id) && !Files.exists(dir.resolve(PURGED))
                        && newest(dir).isBefore(now.minus(retention))) {
                    bytes += purge(dir, now);
                    outputs++;
                }
            }
        }
        return new Sweep(inputs, outputs, bytes);
    }

    /**
     * Why a job's output is gone, if the retention deleted it: "the output of job 17 was deleted
     * on 2026-11-28 (this server keeps outputs for 30 days)".
     */
    public Optional<String> purgedNote(long jobId) {
        Path marker = spoolRoot.resolve(Long.toString(jobId)).resolve(PURGED);
        try {
            String when = Files.readString(marker, StandardCharsets.UTF_8).strip();
            String day = when.length() >= 10 ? when.substring(0, 10) : when;
            return Optional.of("the output of job " + jobId + " was deleted on " + day
                    + " (this server keeps outputs for " + retention.toDays() + " days)");
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("the output of job " + jobId + " was deleted");
        }
    }

    private static long purge(Path dir, Instant now) {
        long bytes = 0;
        try {
            // the marker first: a crash mid-purge leaves a job that says its output was deleted
            // rather than one that serves half of it
            Files.writeString(dir.resolve(PURGED), now.toString() + "\n", StandardCharsets.UTF_8);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    if (!p.getFileName().toString().equals(PURGED)) {
                        bytes += deleteTree(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot purge " + dir, e);
        }
        return bytes;
    }

    /** The {@code sweep-ID} subdirectories of {@code root}; none when it does not exist. */
    private static java.util.List<Path> sweepDirs(Path root) {
        java.util.List<Path> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root, p -> p.getFileName()
                .toString().matches(SWEEP_PREFIX + "[0-9]{1,18}") && Files.isDirectory(p))) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return out;
    }

    /**
     * Which sweeps' stored inputs are still read (by a sweep with tasks to run); until this is
     * set, none is ever deleted.
     */
    public void sweepInputs(LongPredicate inUse) {
        this.sweepInputsInUse = inUse;
    }

    /** The numeric subdirectories of {@code root} (job ids); none when it does not exist. */
    private static java.util.List<Path> jobDirs(Path root) {
        java.util.List<Path> out = new java.util.ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root,
                p -> p.getFileName().toString().matches("[0-9]{1,18}") && Files.isDirectory(p))) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return out;
    }

    /** The latest modification time of anything in the tree (the job's last write). */
    private static Instant newest(Path dir) {
        Instant[] max = {Instant.EPOCH};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    keep(a);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    keep(a);
                    return FileVisitResult.CONTINUE;
                }

                private void keep(BasicFileAttributes a) {
                    Instant t = a.lastModifiedTime().toInstant();
                    if (t.isAfter(max[0])) {
                        max[0] = t;
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return max[0];
    }

    /** Deletes a file or a tree; returns the bytes of the files deleted. */
    private static long deleteTree(Path root) {
        long[] bytes = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    bytes[0] += a.size();
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            return bytes[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
        return bytes[0];
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
