package idle.server.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The output of a job's current attempt on disk ({@code spool/<jobId>/output}): each OUT chunk as
 * a 4-byte length and the OUT payload exactly as the lender sent it (job id, seq, stream, data),
 * so the relay forwards it to runners without re-encoding. An in-memory index of offsets makes
 * chunk {@code seq} one positional read. Writes go straight to the file (no user-space buffer), so
 * a server killed with SIGKILL loses nothing that was acknowledged.
 *
 * <p>Durability: {@link #force} remembers how much it covered, so a force with nothing new to
 * cover (the background force after the last chunk completed before the job's FIN) costs no
 * system call; the caller's guarantee (every chunk appended before the call is on disk when it
 * returns) is the same.
 *
 * <p>Thread-safe: one appender (the lender's reader), many readers (followers) and forcers.
 */
public final class OutputSpool implements AutoCloseable {
    private final Path file;
    private FileChannel channel;
    private long[] offsets = new long[16];
    private int count;
    private long end;
    private long dataBytes;
    private boolean readOnly;
    private boolean discarded;
    /** Bytes known to be on the storage device: what the last completed force covered. */
    private long forcedEnd;
    /** A force is in its system call (see {@link #force}). */
    private boolean forcing;

    private OutputSpool(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** A new, empty spool at {@code file} (truncating an old one). */
    public static OutputSpool create(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file); // readers of an earlier attempt keep their (unlinked) file
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
        return new OutputSpool(file, ch);
    }

    /**
     * Opens an existing spool for reading and indexes it; a missing file is an empty spool. A
     * truncated last record (a crash mid-write) is ignored.
     */
    public static OutputSpool open(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new OutputSpool(file, null);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        OutputSpool s = new OutputSpool(file, ch);
        s.readOnly = true;
        long size = ch.size();
        ByteBuffer len = ByteBuffer.allocate(4);
        long pos = 0;
        while (pos + 4 <= size) {
            len.clear();
            readFully(ch, len, pos);
            int n = len.getInt(0);
            if (n < 0 || pos + 4 + n > size) {
                break;
            }
            s.index(pos);
            pos += 4 + n;
        }
        s.end = pos;
        return s;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                throw new IOException("spool ended early");
            }
        }
    }

    private void index(long pos) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = pos;
    }

    public Path file() {
        return file;
    }

    /** Appends one OUT payload carrying {@code dataLength} bytes of output. */
    public synchronized void append(byte[] outPayload, int dataLength) throws IOException {
        if (channel == null || readOnly) {
            throw new IOException("spool " + file + " is read-only");
        }
        ByteBuffer b = ByteBuffer.allocate(4 + outPayload.length);
        b.putInt(outPayload.length).put(outPayload).flip();
        long pos = end;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
        index(end);
        end = pos;
        dataBytes += dataLength;
    }

    /** Number of chunks spooled. */
    public synchronized int count() {
        return count;
    }

    /** Output bytes (data only) spooled. */
    public synchronized long dataBytes() {
        return dataBytes;
    }

    /** The OUT payload of chunk {@code seq}. */
    public byte[] read(int seq) throws IOException {
        for (int attempt = 0; ; attempt++) {
            long pos;
            FileChannel ch;
            synchronized (this) {
                if (seq < 0 || seq >= count) {
                    throw new IndexOutOfBoundsException("chunk " + seq + " of " + count);
                }
                pos = offsets[seq];
                if (discarded) {
                    throw new IOException("spool of an earlier attempt was discarded");
                }
                if (channel == null || !channel.isOpen()) {
                    channel = FileChannel.open(file, StandardOpenOption.READ);
                    readOnly = true;
                }
                ch = channel;
            }
            try {
                ByteBuffer len = ByteBuffer.allocate(4);
                readFully(ch, len, pos);
                ByteBuffer data = ByteBuffer.allocate(len.getInt(0));
                readFully(ch, data, pos + 4);
                return data.array();
            } catch (java.nio.channels.ClosedChannelException e) {
                if (attempt > 0) {
                    throw e;
                }
            }
        }
    }

    /** Stops appending; later reads reopen the file read-only. */
    public synchronized void seal() throws IOException {
        readOnly = true;
    }

    /**
     * Forces the spooled chunks to the storage device with {@code d}; returns at once when a
     * force that began after the last append already completed (nothing is left to force). A
     * force in flight on another thread is waited for first, since it may cover everything.
     * The system call runs outside this spool's lock, so the appender never waits on the disk.
     */
    public void force(Durability d) throws IOException {
        FileChannel ch;
        long target;
        synchronized (this) {
            while (forcing && forcedEnd < end) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted forcing " + file);
                }
            }
            if (channel == null || !channel.isOpen() || readOnly || forcedEnd >= end) {
                return;
            }
            forcing = true;
            ch = channel;
            target = end;
        }
        boolean done = false;
        try {
            d.force(ch);
            done = true;
        } finally {
            synchronized (this) {
                forcing = false;
                if (done) {
                    forcedEnd = Math.max(forcedEnd, target);
                }
                notifyAll();
            }
        }
    }

    /** True when chunks were appended since the last completed {@link #force} began. */
    public synchronized boolean isDirty() {
        return forcedEnd < end && channel != null && channel.isOpen() && !readOnly;
    }

    /** Closes and marks this spool as belonging to a finished, replaced attempt. */
    public synchronized void discard() throws IOException {
        discarded = true;
        close();
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
