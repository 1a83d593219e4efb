package idle.server.relay;

import idle.shared.model.OutputFileInfo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One output file on the server's disk, possibly still arriving from its lender: what a
 * {@link FileSender} follows to serve {@code GOF} while the upload goes on (cut-through).
 *
 * <p>Contract: {@link #info()} is what the lender announced in its {@code TOF} (name, size,
 * SHA-256). {@link #received()} bytes at the start of the file are written and may be read; the
 * upload ends {@link State#COMPLETE} (every byte arrived and the lender's {@code EOF} matched) or
 * {@link State#FAILED} (checksum mismatch, lender gone, attempt replaced, server error): a
 * follower must never report a file complete unless the state is {@code COMPLETE}. A stored file
 * of a finished job is an upload that is complete from the start.
 *
 * <p>While followers are attached ({@link #follow}), the last {@link #RECENT_CHUNKS} chunks that
 * arrived are also kept in memory as their {@code DAT} payloads ({@link #recentChunk}), so a
 * follower that keeps up sends them on without reading them back from the spool; a follower that
 * falls behind reads the spool. Nothing is kept while nobody follows, so an upload that nobody
 * fetches costs no memory; a followed one at most {@code RECENT_CHUNKS} chunks (4 MiB).
 *
 * <p>Thread-safe: one writer (the lender connection's reader thread) and any number of followers.
 */
public final class FileUpload {
    /** Where an upload stands. */
    public enum State { RECEIVING, COMPLETE, FAILED }

    private final OutputFileInfo info;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Path path;
    private long received;
    private State state = State.RECEIVING;
    private String failure = "";
    /** Chunks kept for followers: how many, at most. */
    static final int RECENT_CHUNKS = 64;
    /** The last chunks' DAT payloads (data at {@code Codec.FILE_DATA_OFFSET}), oldest first. */
    private final java.util.ArrayDeque<byte[]> recent = new java.util.ArrayDeque<>();
    /** File offset of the first data byte of {@code recent}'s oldest payload. */
    private long recentFrom;
    private int followers;

    private FileUpload(OutputFileInfo info, Path path) {
        this.info = info;
        this.path = path;
    }

    /** An upload that begins now, written to {@code part}. */
    public static FileUpload receiving(OutputFileInfo info, Path part) {
        return new FileUpload(info, part);
    }

    /** A file that is already whole on disk at {@code file}. */
    public static FileUpload complete(OutputFileInfo info, Path file) {
        FileUpload u = new FileUpload(info, file);
        u.received = info.size();
        u.state = State.COMPLETE;
        return u;
    }

    public OutputFileInfo info() {
        return info;
    }

    public String name() {
        return info.name();
    }

    /** Bytes written so far. */
    public long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Why the upload failed (empty unless {@link State#FAILED}). */
    public String failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Opens the file for reading. The channel stays valid when the file is later renamed (on
     * completion) or unlinked (a new attempt): followers keep reading the same bytes.
     */
    public FileChannel open() throws IOException {
        lock.lock();
        try {
            return FileChannel.open(path, StandardOpenOption.READ);
        } finally {
            lock.unlock();
        }
    }

    /** {@code n} more bytes were written at the end of the file. */
    public void appended(long n) {
        lock.lock();
        try {
            if (state == State.RECEIVING) {
                if (n > 0) {
                    recent.clear(); // the kept chunks' offsets would no longer be contiguous
                }
                received += n;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Every byte arrived and matched the lender's EOF; the file now lives at {@code file}. */
    public void completed(Path file) {
        lock.lock();
        try {
            if (state == State.RECEIVING) {
                path = file;
                state = State.COMPLETE;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code n} more bytes were written at the end of the file, the data of {@code datPayload}
     * (a {@code DAT} payload: its data at {@code dataOffset}, {@code n} bytes to its end), which
     * followers may take instead of reading the file ({@link #recentChunk}). The payload must not
     * be changed afterwards.
     */
    public void appended(byte[] datPayload, int dataOffset, int n) {
        lock.lock();
        try {
            if (state == State.RECEIVING && n > 0) { // an empty chunk adds nothing to send
                if (followers > 0 && datPayload.length - dataOffset == n) {
                    if (recent.isEmpty()) {
                        recentFrom = received;
                    }
                    recent.addLast(datPayload);
                    while (recent.size() > RECENT_CHUNKS) {
                        recentFrom += recent.removeFirst().length - dataOffset;
                    }
                } else {
                    recent.clear();
                }
                received += n;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The kept {@code DAT} payload whose data starts at file offset {@code offset}, or null (not
     * kept: read the file). {@code dataOffset} is where the data starts in a payload.
     */
    public byte[] recentChunk(long offset, int dataOffset) {
        lock.lock();
        try {
            long at = recentFrom;
            for (byte[] p : recent) {
                if (at == offset) {
                    return p;
                }
                if (at > offset) {
                    return null;
                }
                at += p.length - dataOffset;
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** A follower starts: chunks arriving from now on are kept for it. */
    public void follow() {
        lock.lock();
        try {
            followers++;
        } finally {
            lock.unlock();
        }
    }

    /** A follower ended; the last one's leaving drops the kept chunks. */
    public void unfollow() {
        lock.lock();
        try {
            if (--followers <= 0) {
                followers = 0;
                recent.clear();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The upload will never complete. Idempotent; no effect on a complete upload. */
    public void failed(String why) {
        lock.lock();
        try {
            if (state == State.RECEIVING) {
                state = State.FAILED;
                failure = why;
                recent.clear();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until more than {@code have} bytes are readable or the upload ended, at most
     * {@code timeout}. Returns the bytes readable now (equal to {@code have} only when the upload
     * is complete, failed, or the wait timed out: check {@link #state()}).
     */
    public long awaitMoreThan(long have, long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (received <= have && state == State.RECEIVING && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            return received;
        } finally {
            lock.unlock();
        }
    }
}
