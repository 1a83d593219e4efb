package idle.server.relay;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.OutputFileInfo;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Receives the output files of one attempt from its lender ({@code TOF}, {@code DAT}*,
 * {@code EOF}), one at a time, into {@code spool/<jobId>/files/}: each file is written to
 * {@code NAME.part}, hashed as it arrives, and renamed to {@code NAME} only when its size and
 * SHA-256 match what the lender announced; before the lender's {@code EOF} is acknowledged the
 * file is forced to disk, renamed, and its directory forced ({@link Durability}), so a file the
 * server said it has survives a crash. Each upload is published in the job's
 * {@link JobFeed} as soon as it starts, so runners can fetch it while it arrives (a
 * {@link FileSender} follows the growing file); an upload that does not complete is marked
 * failed, which makes those followers fail too.
 *
 * <p>Not thread-safe: used by the lender connection's reader thread only.
 */
public final class UploadReceiver {
    private static final Logger LOG = Logger.getLogger(UploadReceiver.class.getName());

    private final Path dir;
    private final JobFeed feed;
    private final Durability durability;
    /** Directories above a file's own that were forced since this receiver made them. */
    private final java.util.Set<Path> synced = new java.util.HashSet<>();
    private boolean cleared;
    private FileUpload upload;
    private Path part;
    private FileChannel out;
    private MessageDigest digest;
    private long received;

    /**
     * @param dir the job's files directory (the files of an earlier attempt in it are deleted at
     *        the first upload)
     * @param feed where uploads are announced to followers; may be null
     */
    public UploadReceiver(Path dir, JobFeed feed) {
        this(dir, feed, Durability.FSYNC);
    }

    /** As above, making each complete file durable with {@code durability}. */
    public UploadReceiver(Path dir, JobFeed feed, Durability durability) {
        this.dir = dir;
        this.feed = feed;
        this.durability = durability;
    }

    /** True while a file is being received. */
    public boolean open() {
        return out != null;
    }

    /**
     * Starts receiving {@code t} (its name already checked as a relative path). Returns the
     * answer for the lender: {@code SCF} or {@code FLD{INVALID}}.
     */
    public Message start(Message.TakeOutputFile t) throws IOException {
        abort("the lender started another file");
        if (!cleared) {
            cleared = true;
            deleteTree(dir); // files of an earlier attempt
        }
        Path target = dir.resolve(t.name()).normalize();
        if (!target.startsWith(dir) || target.equals(dir)) {
            return new Message.Failure(FailureKind.INVALID, "file name leaves the job directory");
        }
        Files.createDirectories(target.getParent());
        part = target.resolveSibling(target.getFileName() + ".part");
        out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        digest = Sha256.digest();
        received = 0;
        upload = FileUpload.receiving(new OutputFileInfo(t.name(), t.size(), t.sha256()), part);
        if (feed != null) {
            feed.uploadStarted(upload);
        }
        return new Message.Success(new Result.Empty());
    }

    /** One chunk: written and hashed; returns {@code OK{seq}}, or {@code FLD{LIMIT}} when too long. */
    public Message data(Message.FileData d) throws IOException {
        return data(d, null);
    }

    /**
     * As {@link #data(Message.FileData)}, {@code payload} being the {@code DAT} frame's payload
     * that {@code d} was decoded from (or null): kept for followers so they need not read the
     * chunk back from the spool ({@link FileUpload#recentChunk}).
     */
    public Message data(Message.FileData d, byte[] payload) throws IOException {
        if (out == null) {
            return new Message.Ack(d.seq()); // a skipped or refused file
        }
        byte[] data = d.data();
        if (received + data.length > upload.info().size()) {
            String name = upload.name();
            abort("file " + name + " is longer than announced");
            return new Message.Failure(FailureKind.LIMIT, "file " + name
                    + " is longer than announced");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            out.write(b);
        }
        digest.update(data);
        received += data.length;
        if (payload != null && payload.length == Codec.FILE_DATA_OFFSET + data.length) {
            upload.appended(payload, Codec.FILE_DATA_OFFSET, data.length);
        } else {
            upload.appended(data.length);
        }
        return new Message.Ack(d.seq());
    }

    /**
     * The lender's {@code EOF}: returns {@code SCF} with the file in place and complete, or
     * {@code FLD{CHECKSUM}} (the file is dropped) or {@code FLD{WRONG_STATE}}.
     */
    public Message end(Message.EndOfFile e) throws IOException {
        if (out == null) {
            return new Message.Failure(FailureKind.WRONG_STATE, "no file transfer is open");
        }
        OutputFileInfo info = upload.info();
        String got = Sha256.hex(digest);
        if (received != info.size() || e.size() != info.size() || !got.equals(info.sha256())
                || !e.sha256().equals(info.sha256())) {
            String why = "file " + info.name() + ": received " + received
                    + " bytes with SHA-256 " + got + ", announced " + info.size()
                    + " bytes with " + info.sha256();
            abort(why);
            return new Message.Failure(FailureKind.CHECKSUM, why);
        }
        Path target = part.resolveSibling(part.getFileName().toString()
                .replaceFirst("\\.part$", ""));
        boolean moved = false;
        try {
            durability.force(out);
            out.close();
            out = null;
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            syncDirectories(target.getParent());
        } catch (IOException ex) {
            upload.failed("the server could not store it: " + ex.getMessage());
            if (out != null) {
                out.close();
                out = null;
            }
            Files.deleteIfExists(moved ? target : part);
            upload = null;
            throw ex;
        }
        upload.completed(target);
        upload = null;
        return new Message.Success(new Result.Empty());
    }

    /**
     * Forces {@code fileDir} (it has a new entry) and, once each, the directories above it up
     * to the spool's root, which may be new too ({@code spool/JOB/files/...}).
     */
    private void syncDirectories(Path fileDir) throws IOException {
        durability.forceDirectory(fileDir);
        Path root = dir.getParent() == null ? null : dir.getParent().getParent();
        for (Path p = fileDir.getParent(); p != null && root != null && p.startsWith(root);
                p = p.getParent()) {
            if (synced.add(p)) {
                durability.forceDirectory(p);
            }
        }
    }

    /** Drops the file being received, if any, and fails its followers with {@code why}. */
    public void abort(String why) {
        if (out != null) {
            upload.failed(why);
            upload = null;
            try {
                out.close();
                Files.deleteIfExists(part);
            } catch (IOException e) {
                LOG.log(Level.FINE, "dropping a partial file", e);
            }
            out = null;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
