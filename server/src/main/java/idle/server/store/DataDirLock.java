package idle.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code DATA/server.lock}, held by whoever uses the data directory (the
 * server, or a local admin command). The file also says who holds it ("pid 1234 listening on
 * 127.0.0.1:8001"), so a second user can refuse with a clear message. The OS releases the lock
 * when the process dies, even by SIGKILL.
 */
public final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another process (or this one) uses the directory. */
    public static final class BusyException extends IOException {
        private static final long serialVersionUID = 1L;

        BusyException(String message) {
            super(message);
        }
    }

    /** Takes the lock or throws {@link BusyException} naming the holder. */
    public static DataDirLock acquire(Path dataDir, String holder) throws IOException {
        PrivateFiles.createDirectories(dataDir);
        Path file = dataDir.resolve("server.lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            String who = "";
            try {
                ByteBuffer b = ByteBuffer.allocate(512);
                ch.read(b, 0);
                who = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                // unknown holder
            }
            ch.close();
            throw new BusyException("the data directory " + dataDir + " is in use"
                    + (who.isEmpty() ? "" : " (" + who + ")"));
        }
        DataDirLock d = new DataDirLock(ch, l);
        d.describe(holder);
        return d;
    }

    /** Replaces the holder description. */
    public void describe(String holder) throws IOException {
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
        } catch (IOException e) {
            // best effort
        }
        lock.release();
        channel.close();
    }
}
