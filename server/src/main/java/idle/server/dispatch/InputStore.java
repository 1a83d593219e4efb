package idle.server.dispatch;

import idle.shared.model.InputFile;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A job's input files on disk, {@code inputs/JOB/NAME} in the data directory, kept from
 * submission until the job ends (the store's retention deletes them after).
 *
 * <p>Files are written at the door, before the job reaches the store writer ({@link #stage}, into
 * {@code inputs/.staging/}), synced, and moved to the job's directory once its row committed and
 * its id is known ({@link #adopt}). So the single writer thread never does file I/O for them,
 * and a store change that runs twice cannot write them twice. What a crash leaves in the staging
 * area belongs to no committed job and is deleted at start ({@link #clearStaging}).
 *
 * <p>Thread-safe: each call works on its own directory.
 */
final class InputStore {
    private static final Logger LOG = Logger.getLogger(InputStore.class.getName());

    private final Path root;
    private final Path staging;

    /** Input files written for a job that has no id yet; {@link #NONE} when it has none. */
    record Staged(Path dir) {
    }

    static final Staged NONE = new Staged(null);

    InputStore(Path root) {
        this.root = root;
        this.staging = root.resolve(".staging");
    }

    /** Writes and syncs {@code files} (names already checked at the door). */
    Staged stage(List<InputFile> files) throws IOException {
        if (files.isEmpty()) {
            return NONE;
        }
        Files.createDirectories(staging);
        Path dir = Files.createTempDirectory(staging, "job-");
        try {
            for (InputFile f : files) {
                Files.write(dir.resolve(f.name()), f.data(), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            }
            return new Staged(dir);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** Moves staged files to the directory of job {@code jobId}, durably. */
    void adopt(Staged s, long jobId) throws IOException {
        if (s.dir() == null) {
            return;
        }
        Path target = dir(jobId);
        try {
            Files.move(s.dir(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(s.dir(), target);
        }
        syncDirectory(root);
    }

    /** Deletes staged files whose job was not stored (best effort). */
    void discard(Staged s) {
        if (s.dir() != null) {
            deleteTree(s.dir());
        }
    }

    /**
     * The files {@code names} of job {@code jobId}, as they were submitted.
     *
     * @throws IOException when one cannot be read; its message names the file, not the server's
     *     paths (it becomes the reason a runner reads)
     */
    List<InputFile> read(long jobId, List<String> names) throws IOException {
        List<InputFile> out = new ArrayList<>(names.size());
        Path dir = dir(jobId);
        for (String name : names) {
            byte[] data;
            try {
                data = Files.readAllBytes(dir.resolve(name));
            } catch (NoSuchFileException e) {
                throw new IOException("input file " + name + " is missing", e);
            } catch (IOException e) {
                throw new IOException("input file " + name + " cannot be read ("
                        + e.getClass().getSimpleName() + ")", e);
            }
            out.add(new InputFile(name, data, Sha256.hex(data)));
        }
        return out;
    }

    // ---- sweeps: inputs/sweep-ID/shared/ (every task's) and inputs/sweep-ID/INDEX/ ----------

    /** Where sweep {@code sweepId}'s inputs live (shared ones and each task's). */
    Path sweepDir(long sweepId) {
        return root.resolve(SWEEP_PREFIX + sweepId);
    }

    /** The directory name prefix of a sweep's inputs (never a job id). */
    static final String SWEEP_PREFIX = "sweep-";

    /** Moves staged files to sweep {@code sweepId}'s shared inputs, durably. */
    void adoptShared(Staged s, long sweepId) throws IOException {
        if (s.dir() == null) {
            return;
        }
        Path dir = sweepDir(sweepId);
        Files.createDirectories(dir);
        Path target = dir.resolve("shared");
        try {
            Files.move(s.dir(), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(s.dir(), target);
        }
        syncDirectory(dir);
    }

    /**
     * Writes and syncs the own input files of task {@code index} of sweep {@code sweepId}
     * (names checked at the door). Replaces what an earlier, failed, write of it left.
     */
    void writeTask(long sweepId, int index, List<InputFile> files) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        Path dir = sweepDir(sweepId).resolve(Integer.toString(index));
        if (Files.exists(dir)) {
            deleteTree(dir);
        }
        Files.createDirectories(dir);
        for (InputFile f : files) {
            Files.write(dir.resolve(f.name()), f.data(), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        }
    }

    /** Deletes what {@link #writeTask} wrote for a task that was not stored (best effort). */
    void discardTask(long sweepId, int index) {
        Path dir = sweepDir(sweepId).resolve(Integer.toString(index));
        if (Files.exists(dir)) {
            deleteTree(dir);
        }
    }

    /**
     * The input files of task {@code index} of a sweep whose files are under sweep
     * {@code inputsOf}: {@code names} in order, each from the shared ones when it is one of
     * {@code shared}, else from the task's own.
     *
     * @throws IOException when one cannot be read (the message names the file only)
     */
    List<InputFile> readTask(long inputsOf, int index, List<String> shared, List<String> names)
            throws IOException {
        List<InputFile> out = new ArrayList<>(names.size());
        Path base = sweepDir(inputsOf);
        for (String name : names) {
            Path p = shared.contains(name) ? base.resolve("shared").resolve(name)
                    : base.resolve(Integer.toString(index)).resolve(name);
            out.add(readOne(p, name));
        }
        return out;
    }

    /** Whether every one of {@code names} of task {@code index} is still stored. */
    boolean taskFilesExist(long inputsOf, int index, List<String> shared, List<String> names) {
        Path base = sweepDir(inputsOf);
        for (String name : names) {
            Path p = shared.contains(name) ? base.resolve("shared").resolve(name)
                    : base.resolve(Integer.toString(index)).resolve(name);
            if (!Files.isRegularFile(p)) {
                return false;
            }
        }
        return true;
    }

    private static InputFile readOne(Path p, String name) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new IOException("input file " + name + " is missing", e);
        } catch (IOException e) {
            throw new IOException("input file " + name + " cannot be read ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        return new InputFile(name, data, Sha256.hex(data));
    }

    /** Where job {@code jobId}'s inputs live. */
    Path dir(long jobId) {
        return root.resolve(Long.toString(jobId));
    }

    /** Deletes what an earlier run staged but never adopted; call before accepting jobs. */
    void clearStaging() {
        if (!Files.isDirectory(staging)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(staging)) {
            for (Path p : s) {
                deleteTree(p);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot clear " + staging, e);
        }
    }

    /** Makes a rename in {@code dir} durable (Linux: fsync of the directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory; the rename is still done
            LOG.log(Level.FINE, "cannot sync " + dir, e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete " + dir, e);
        }
    }
}
