package idle.shared.protocol;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

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
    private final Semaphore permits;
    private volatile boolean closed;

    public SendWindow() {
        this(Limits.WINDOW_CHUNKS);
    }

    public SendWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window size " + size);
        }
        this.size = size;
        this.permits = new Semaphore(size);
    }

    /** Waits for room for one more chunk. @throws InterruptedException also when closed */
    public void acquire() throws InterruptedException {
        permits.acquire();
        if (closed) {
            permits.release();
            throw new InterruptedException("transfer closed");
        }
    }

    /** Like {@link #acquire} with a deadline; false when it passed. */
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        if (!permits.tryAcquire(timeout, unit)) {
            return false;
        }
        if (closed) {
            permits.release();
            throw new InterruptedException("transfer closed");
        }
        return true;
    }

    /** One chunk was acknowledged. Extra releases beyond the window size are ignored. */
    public void release() {
        synchronized (this) {
            if (permits.availablePermits() < size) {
                permits.release();
            }
        }
    }

    /** Chunks sent and not yet acknowledged. */
    public int inFlight() {
        return size - permits.availablePermits();
    }

    /** Waits until every chunk sent was acknowledged; false when the deadline passed. */
    public boolean awaitDrained(long timeout, TimeUnit unit) throws InterruptedException {
        if (!permits.tryAcquire(size, timeout, unit)) {
            return false;
        }
        permits.release(size);
        return true;
    }

    /** Fails current and future waits: the connection is gone. */
    public void close() {
        closed = true;
        permits.release(size);
    }
}
