package idle.server.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OutputSpool#force}: every chunk appended before the call is on disk when it returns,
 * and a force with nothing new to cover costs no system call (so a short job's FIN, whose output
 * the background force already covered, does not wait for the disk). Real files, the real fsync
 * ({@link Durability#FSYNC}) under a wrapper that records each call.
 */
class OutputSpoolTest {
    @TempDir
    Path dir;

    /** Records the file size at each force, then forces for real. */
    private static class Recording implements Durability {
        final List<Long> sizes = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void force(FileChannel file) throws IOException {
            sizes.add(file.size());
            FSYNC.force(file);
        }

        @Override
        public void forceDirectory(Path d) throws IOException {
            FSYNC.forceDirectory(d);
        }
    }

    /** Records, forces, then holds the caller in the "system call" until released. */
    private static final class Held extends Recording {
        final CountDownLatch inCall = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void force(FileChannel file) throws IOException {
            super.force(file);
            inCall.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
    }

    /** Forces {@code s} on a virtual thread of its own. */
    private static Thread forceOnThread(OutputSpool s, Durability d, CountDownLatch done) {
        return Thread.ofVirtual().start(() -> {
            try {
                s.force(d);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            done.countDown();
        });
    }

    @Test
    void aForceWithNothingNewToCoverMakesNoSystemCall() throws Exception {
        Recording d = new Recording();
        try (OutputSpool s = OutputSpool.create(dir.resolve("output"))) {
            s.force(d);
            assertEquals(List.of(), d.sizes, "an empty spool has nothing to force");
            s.append(new byte[] {1, 2, 3}, 3);
            assertTrue(s.isDirty());
            s.force(d);
            assertEquals(List.of(7L), d.sizes, "the chunk with its length");
            assertFalse(s.isDirty());
            s.force(d);
            assertEquals(List.of(7L), d.sizes, "nothing new: no second fsync");
            s.append(new byte[] {4}, 1);
            assertTrue(s.isDirty(), "a chunk after the force");
            s.force(d);
            assertEquals(List.of(7L, 12L), d.sizes, "the new chunk is forced");
            s.seal();
            assertFalse(s.isDirty(), "a sealed spool is not appended to");
        }
    }

    /**
     * A second force while one is in its system call waits for it and, when that one covered
     * every chunk, returns without another; the appender is not held up meanwhile.
     */
    @Test
    void aForceWaitsForTheOneInFlightAndTheAppenderDoesNot() throws Exception {
        Held d = new Held();
        try (OutputSpool s = OutputSpool.create(dir.resolve("output"))) {
            s.append(new byte[] {1, 2, 3}, 3);
            CountDownLatch firstDone = new CountDownLatch(1);
            Thread first = forceOnThread(s, d, firstDone);
            assertTrue(d.inCall.await(20, TimeUnit.SECONDS));
            CountDownLatch secondDone = new CountDownLatch(1);
            Thread second = forceOnThread(s, d, secondDone);
            assertFalse(secondDone.await(200, TimeUnit.MILLISECONDS),
                    "the second force returned while the first was in its system call");
            d.release.countDown();
            assertTrue(secondDone.await(20, TimeUnit.SECONDS));
            first.join();
            second.join();
            assertEquals(List.of(7L), d.sizes, "one fsync covered both calls");

            // the appender goes on while a force is in its system call
            Held slow = new Held();
            s.append(new byte[] {4}, 1);
            CountDownLatch thirdDone = new CountDownLatch(1);
            Thread third = forceOnThread(s, slow, thirdDone);
            assertTrue(slow.inCall.await(20, TimeUnit.SECONDS));
            s.append(new byte[] {5}, 1); // would block on the spool's lock if the force held it
            assertEquals(3, s.count());
            slow.release.countDown();
            third.join();
            assertTrue(s.isDirty(), "the last chunk came after that force began");
            Recording last = new Recording();
            s.force(last);
            assertEquals(List.of(Files.size(dir.resolve("output"))), last.sizes);
            assertFalse(s.isDirty());
        }
    }
}
