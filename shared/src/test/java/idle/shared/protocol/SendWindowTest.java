package idle.shared.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow control of chunked transfers. Waiting is observed with latches and deadlines only: a
 * "still blocked" assertion is a latch that does not open within a short deadline, and every
 * "unblocked" assertion waits with a generous one.
 */
@Timeout(30)
class SendWindowTest {
    private static final long BLOCKED_MS = 100;
    private static final long GENEROUS_S = 10;

    /** A thread that acquires once and reports how it ended. */
    private static final class Sender {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Thread thread;

        Sender(SendWindow w) {
            this(w, new CountDownLatch(1));
        }

        /** {@code alsoDone} is counted down too when the acquire returns or fails. */
        Sender(SendWindow w, CountDownLatch alsoDone) {
            thread = new Thread(() -> {
                started.countDown();
                try {
                    w.acquire();
                } catch (Throwable t) {
                    error.set(t);
                } finally {
                    done.countDown();
                    alsoDone.countDown();
                }
            }, "sender");
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Test
    void theDefaultWindowIsWindowChunks() throws InterruptedException {
        SendWindow w = new SendWindow();
        for (int i = 0; i < Limits.WINDOW_CHUNKS; i++) {
            assertTrue(w.tryAcquire(0, TimeUnit.MILLISECONDS), "chunk " + i);
        }
        assertEquals(Limits.WINDOW_CHUNKS, w.inFlight());
        assertFalse(w.tryAcquire(0, TimeUnit.MILLISECONDS));
    }

    @Test
    void sizeMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new SendWindow(0));
        assertThrows(IllegalArgumentException.class, () -> new SendWindow(-3));
    }

    @Test
    void tryAcquireGivesUpAtTheDeadlineWhenFull() throws InterruptedException {
        SendWindow w = new SendWindow(2);
        w.acquire();
        w.acquire();
        long t0 = System.nanoTime();
        assertFalse(w.tryAcquire(BLOCKED_MS, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(BLOCKED_MS) - 1_000_000);
        assertEquals(2, w.inFlight());
    }

    @Test
    void aFullWindowBlocksUntilAnAckReleasesIt() throws InterruptedException {
        SendWindow w = new SendWindow(3);
        for (int i = 0; i < 3; i++) {
            w.acquire();
        }
        Sender s = new Sender(w);
        assertTrue(s.started.await(GENEROUS_S, TimeUnit.SECONDS));
        assertFalse(s.done.await(BLOCKED_MS, TimeUnit.MILLISECONDS), "must block while full");
        w.release();
        assertTrue(s.done.await(GENEROUS_S, TimeUnit.SECONDS), "an ack must unblock the sender");
        assertNull(s.error.get());
        assertEquals(3, w.inFlight());
    }

    @Test
    void eachAckLetsExactlyOneWaitingSenderThrough() throws InterruptedException {
        SendWindow w = new SendWindow(1);
        w.acquire();
        CountDownLatch anyDone = new CountDownLatch(1);
        Sender a = new Sender(w, anyDone);
        Sender b = new Sender(w, anyDone);
        assertFalse(anyDone.await(BLOCKED_MS, TimeUnit.MILLISECONDS));
        w.release();
        assertTrue(anyDone.await(GENEROUS_S, TimeUnit.SECONDS));
        // Exactly one got through; the other still waits.
        Sender waiting = a.done.getCount() == 0 ? b : a;
        assertFalse(waiting.done.await(BLOCKED_MS, TimeUnit.MILLISECONDS));
        w.release();
        assertTrue(waiting.done.await(GENEROUS_S, TimeUnit.SECONDS));
        assertNull(a.error.get());
        assertNull(b.error.get());
    }

    @Test
    void extraAcksDoNotWidenTheWindow() throws InterruptedException {
        SendWindow w = new SendWindow(2);
        w.release();
        w.release();
        w.acquire();
        w.release();
        w.release();
        assertEquals(0, w.inFlight());
        assertTrue(w.tryAcquire(0, TimeUnit.MILLISECONDS));
        assertTrue(w.tryAcquire(0, TimeUnit.MILLISECONDS));
        assertFalse(w.tryAcquire(0, TimeUnit.MILLISECONDS), "window is still 2 wide");
    }

    @Test
    void closeWakesEveryWaitingSender() throws InterruptedException {
        SendWindow w = new SendWindow(1);
        w.acquire();
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            senders.add(new Sender(w));
        }
        for (Sender s : senders) {
            assertTrue(s.started.await(GENEROUS_S, TimeUnit.SECONDS));
            assertFalse(s.done.await(10, TimeUnit.MILLISECONDS));
        }
        w.close();
        for (Sender s : senders) {
            assertTrue(s.done.await(GENEROUS_S, TimeUnit.SECONDS), "close must wake the sender");
            InterruptedException e = assertInstanceOf(InterruptedException.class, s.error.get());
            assertEquals("transfer closed", e.getMessage());
        }
    }

    @Test
    void afterCloseEveryAcquireFailsAtOnce() throws InterruptedException {
        SendWindow w = new SendWindow(2);
        w.close();
        assertThrows(InterruptedException.class, w::acquire);
        assertThrows(InterruptedException.class, () -> w.tryAcquire(GENEROUS_S, TimeUnit.SECONDS));
        assertThrows(InterruptedException.class, w::acquire, "still closed the second time");
        w.release(); // a late ack after close is harmless
        assertThrows(InterruptedException.class, w::acquire);
    }

    @Test
    void closeWakesASenderWaitingWithADeadline() throws InterruptedException {
        SendWindow w = new SendWindow(1);
        w.acquire();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                w.tryAcquire(1, TimeUnit.HOURS);
            } catch (Throwable e) {
                error.set(e);
            }
            done.countDown();
        });
        t.setDaemon(true);
        t.start();
        assertFalse(done.await(BLOCKED_MS, TimeUnit.MILLISECONDS));
        w.close();
        assertTrue(done.await(GENEROUS_S, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, error.get());
    }

    @Test
    void awaitDrainedWaitsForTheLastAck() throws InterruptedException {
        SendWindow w = new SendWindow(4);
        assertTrue(w.awaitDrained(0, TimeUnit.MILLISECONDS), "nothing in flight");
        w.acquire();
        w.acquire();
        assertFalse(w.awaitDrained(BLOCKED_MS, TimeUnit.MILLISECONDS));
        CountDownLatch drained = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                if (w.awaitDrained(GENEROUS_S, TimeUnit.SECONDS)) {
                    drained.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.setDaemon(true);
        t.start();
        w.release();
        assertFalse(drained.await(BLOCKED_MS, TimeUnit.MILLISECONDS), "one chunk still in flight");
        w.release();
        assertTrue(drained.await(GENEROUS_S, TimeUnit.SECONDS));
        assertEquals(0, w.inFlight());
        // Draining took nothing away: the whole window is usable again.
        for (int i = 0; i < 4; i++) {
            assertTrue(w.tryAcquire(0, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void closeFailsAWaitForDrainingInsteadOfClaimingSuccess() throws InterruptedException {
        SendWindow w = new SendWindow(2);
        w.acquire();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(w.awaitDrained(1, TimeUnit.HOURS));
            } catch (Throwable e) {
                result.set(e);
            }
            done.countDown();
        });
        t.setDaemon(true);
        t.start();
        assertFalse(done.await(BLOCKED_MS, TimeUnit.MILLISECONDS));
        w.close();
        assertTrue(done.await(GENEROUS_S, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, result.get(), "a chunk was never acked");
        assertEquals(1, w.inFlight());
    }

    @Test
    void anAckArrivingWhileSomeoneAwaitsDrainingDoesNotWidenTheWindow()
            throws InterruptedException {
        SendWindow w = new SendWindow(1);
        for (int round = 0; round < 2_000; round++) {
            CountDownLatch drained = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    w.awaitDrained(GENEROUS_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                drained.countDown();
            });
            t.start();
            w.release(); // a stray ack racing with the drain check
            assertTrue(drained.await(GENEROUS_S, TimeUnit.SECONDS));
            assertEquals(0, w.inFlight());
            assertTrue(w.tryAcquire(0, TimeUnit.MILLISECONDS));
            assertFalse(w.tryAcquire(0, TimeUnit.MILLISECONDS), "round " + round);
            w.release();
        }
    }

    @Test
    void anInterruptedSenderStopsWaitingAndTakesNoRoom() throws InterruptedException {
        SendWindow w = new SendWindow(1);
        w.acquire();
        Sender s = new Sender(w);
        assertTrue(s.started.await(GENEROUS_S, TimeUnit.SECONDS));
        assertFalse(s.done.await(BLOCKED_MS, TimeUnit.MILLISECONDS));
        s.thread.interrupt();
        assertTrue(s.done.await(GENEROUS_S, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, s.error.get());
        assertEquals(1, w.inFlight());
        w.release();
        assertTrue(w.tryAcquire(0, TimeUnit.MILLISECONDS));
    }

    @Test
    void manySendersNeverExceedTheWindow() throws InterruptedException {
        final int size = 4;
        final int senders = 4;
        final int chunksEach = 2_000;
        SendWindow w = new SendWindow(size);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        BlockingQueue<Integer> acks = new ArrayBlockingQueue<>(size * 2);
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch sendersDone = new CountDownLatch(senders);
        for (int s = 0; s < senders; s++) {
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < chunksEach; i++) {
                        w.acquire();
                        int now = inFlight.incrementAndGet();
                        maxSeen.accumulateAndGet(now, Math::max);
                        acks.put(i); // the "chunk" goes out; the receiver will ack it
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                } finally {
                    sendersDone.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        int acked = 0;
        while (acked < senders * chunksEach) {
            Integer chunk = acks.poll(GENEROUS_S, TimeUnit.SECONDS);
            assertTrue(chunk != null, "stalled after " + acked + " acks; error " + error.get());
            inFlight.decrementAndGet();
            w.release();
            acked++;
        }
        assertTrue(sendersDone.await(GENEROUS_S, TimeUnit.SECONDS));
        assertNull(error.get());
        assertTrue(maxSeen.get() <= size, "in flight peaked at " + maxSeen.get());
        assertTrue(maxSeen.get() >= 1);
        assertEquals(0, w.inFlight());
    }
}
