package idle.server.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Message;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output file is answered SCF only once it is durable; when making it durable fails, the
 * upload fails (its followers are told), nothing of it stays on disk, and the next file works.
 */
class UploadReceiverTest {
    @TempDir
    Path tmp;

    static final byte[] DATA = "result\n".getBytes(StandardCharsets.UTF_8);
    static final String SHA = Sha256.hex(DATA);

    /** A disk that cannot sync (an I/O error), the first time only. */
    static final class FailingOnce implements Durability {
        boolean failed;

        @Override
        public void force(FileChannel file) throws IOException {
            if (!failed) {
                failed = true;
                throw new IOException("sync failed");
            }
            FSYNC.force(file);
        }

        @Override
        public void forceDirectory(Path dir) throws IOException {
            FSYNC.forceDirectory(dir);
        }
    }

    @Test
    void aFileThatCannotBeMadeDurableFailsItsUploadAndLeavesNothing() throws Exception {
        Path files = tmp.resolve("spool").resolve("7").resolve("files");
        JobFeed feed = new JobFeed(7, new JobSummary(7, "s.py", JobState.RUNNING, null, null,
                "", "", 1, 1, 1, 0, 0), null);
        UploadReceiver r = new UploadReceiver(files, feed, new FailingOnce());
        assertInstanceOf(Message.Success.class, r.start(new Message.TakeOutputFile(7, "a.txt",
                DATA.length, SHA)));
        assertInstanceOf(Message.Ack.class, r.data(new Message.FileData(7, 0, DATA)));
        FileUpload first = feed.upload("a.txt").orElseThrow();
        IOException e = assertThrows(IOException.class,
                () -> r.end(new Message.EndOfFile(7, "a.txt", DATA.length, SHA)));
        assertEquals("sync failed", e.getMessage());
        assertEquals(FileUpload.State.FAILED, first.state());
        assertTrue(first.failure().contains("sync failed"), first.failure());
        assertFalse(r.open());
        try (Stream<Path> s = Files.list(files)) {
            assertEquals(0, s.count(), "no part file and no file left");
        }

        r.start(new Message.TakeOutputFile(7, "a.txt", DATA.length, SHA));
        r.data(new Message.FileData(7, 0, DATA));
        assertInstanceOf(Message.Success.class, r.end(new Message.EndOfFile(7, "a.txt",
                DATA.length, SHA)));
        assertEquals("result\n", Files.readString(files.resolve("a.txt")));
    }
}
