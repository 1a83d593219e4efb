package idle.server.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import idle.shared.model.OutputFileInfo;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a follower of a growing output file relies on: it wakes when bytes are appended, sees the
 * end only as COMPLETE or FAILED (never "no more bytes" alone), and keeps reading the same bytes
 * through a channel opened before the file was renamed into place.
 */
class FileUploadTest {
    @TempDir
    Path tmp;
    private static final OutputFileInfo INFO = new OutputFileInfo("f.bin", 6, "0".repeat(64));

    @Test
    void aWaitingFollowerWakesOnNewBytesAndOnTheEnd() throws Exception {
        Path dir = tmp;
        Path part = dir.resolve("f.bin.part");
        Files.write(part, new byte[0]);
        FileUpload u = FileUpload.receiving(INFO, part);
        CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
            try {
                return u.awaitMoreThan(0, 30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Files.write(part, new byte[] {1, 2, 3});
        u.appended(3);
        assertEquals(3L, woke.get(30, TimeUnit.SECONDS));
        assertEquals(FileUpload.State.RECEIVING, u.state());

        try (FileChannel ch = u.open()) {
            Files.write(part, new byte[] {1, 2, 3, 4, 5, 6});
            u.appended(3);
            Path done = dir.resolve("f.bin");
            Files.move(part, done, StandardCopyOption.ATOMIC_MOVE);
            u.completed(done);
            assertEquals(6L, u.awaitMoreThan(6, 30, TimeUnit.SECONDS));
            assertEquals(FileUpload.State.COMPLETE, u.state());
            ByteBuffer b = ByteBuffer.allocate(6);
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // reads the renamed file through the channel opened before
            }
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, b.array());
        }
        u.failed("too late");
        assertEquals(FileUpload.State.COMPLETE, u.state(), "a complete upload stays complete");
    }

    @Test
    void aFailedUploadEndsTheWaitAndSaysWhy() throws Exception {
        Path part = tmp.resolve("f.bin.part");
        Files.write(part, new byte[0]);
        FileUpload u = FileUpload.receiving(INFO, part);
        CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
            try {
                return u.awaitMoreThan(0, 30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        u.failed("the lender disconnected");
        assertEquals(0L, woke.get(30, TimeUnit.SECONDS));
        assertEquals(FileUpload.State.FAILED, u.state());
        assertEquals("the lender disconnected", u.failure());
        u.appended(5);
        assertEquals(0L, u.received(), "bytes after a failure do not count");
    }

    /**
     * Chunks are kept in memory only while someone follows, at most RECENT_CHUNKS of them, and
     * are found by their file offset; a follower behind the kept ones gets null (reads the spool).
     */
    @Test
    void recentChunksAreKeptForFollowersOnlyAndBounded() throws Exception {
        int off = idle.shared.message.Codec.FILE_DATA_OFFSET;
        long chunks = FileUpload.RECENT_CHUNKS + 10L;
        FileUpload u = FileUpload.receiving(new OutputFileInfo("f.bin", 3 * (chunks + 3),
                "0".repeat(64)), tmp.resolve("f.bin.part"));
        u.appended(new byte[off + 3], off, 3);
        assertEquals(null, u.recentChunk(0, off), "nothing is kept while nobody follows");
        u.follow();
        byte[][] sent = new byte[(int) chunks][];
        for (int i = 0; i < chunks; i++) {
            sent[i] = new byte[off + 3];
            u.appended(sent[i], off, 3);
        }
        u.appended(new byte[off], off, 0);
        assertEquals(3 * (chunks + 1), u.received());
        assertEquals(null, u.recentChunk(3 * (chunks + 1), off), "an empty chunk is not kept");
        long last = 3 * chunks;
        org.junit.jupiter.api.Assertions.assertSame(sent[(int) chunks - 1],
                u.recentChunk(last, off));
        long oldestKept = 3 * (chunks - FileUpload.RECENT_CHUNKS + 1);
        org.junit.jupiter.api.Assertions.assertSame(
                sent[(int) (chunks - FileUpload.RECENT_CHUNKS)], u.recentChunk(oldestKept, off));
        assertEquals(null, u.recentChunk(oldestKept - 3, off), "older chunks are dropped");
        assertEquals(null, u.recentChunk(last + 1, off), "not a chunk's start");
        u.appended(3);
        assertEquals(null, u.recentChunk(last, off), "bytes not kept make the kept ones go");
        byte[] after = new byte[off + 3];
        u.appended(after, off, 3);
        org.junit.jupiter.api.Assertions.assertSame(after, u.recentChunk(last + 6, off));
        u.unfollow();
        assertEquals(null, u.recentChunk(last + 6, off), "the last follower's leaving drops them");
        u.follow();
        u.failed("gone");
        assertEquals(null, u.recentChunk(last, off));
    }
}
