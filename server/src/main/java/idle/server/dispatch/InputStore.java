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
