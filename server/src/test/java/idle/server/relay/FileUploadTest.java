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
}
