package idle.shared.protocol;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Flow control for one chunked transfer: at most {@code size} chunks may be sent and not yet
 * acknowledged with {@code OK}. The sender calls {@link #acquire} before each chunk (blocking
 * while the window is full) and the receiving side of the connection calls {@link #release} for
 * each {@code OK}. A window of {@link Limits#WINDOW_CHUNKS} 64 KiB chunks keeps 2 MiB in flight,
 * so a link with latency is not limited to one chunk per round trip (stop-and-wait).
 *
 * <p>Thread-safe. {@link #close} wakes and fails every waiting sender (the connection is gone).
 */
public final class SendWindow {
    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int inFlight;
    private boolean closed;

    public SendWindow() {
        this(Limits.WINDOW_CHUNKS);
    }

    public SendWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window size " + size);
        }
        this.size = size;
    }

    /** Waits for room for one more chunk. @throws InterruptedException also when closed */
    public void acquire() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!closed && inFlight >= size) {
                changed.await();
            }
            failIfClosed();
            inFlight++;
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #acquire} with a deadline; false when it passed. */
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (!closed && inFlight >= size) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            failIfClosed();
            inFlight++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** One chunk was acknowledged. Extra releases beyond the window size are ignored. */
    public void release() {
        lock.lock();
        try {
            if (inFlight > 0) {
                inFlight--;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Chunks sent and not yet acknowledged. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every chunk sent was acknowledged; false when the deadline passed.
     *
     * @throws InterruptedException also when the window is closed with chunks unacknowledged
     */
    public boolean awaitDrained(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (inFlight > 0) {
                failIfClosed();
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Fails current and future waits: the connection is gone. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void failIfClosed() throws InterruptedException {
        if (closed) {
            throw new InterruptedException("transfer closed");
        }
    }
}
