package idle.server.dispatch;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide bound on background forces of output spools ({@link LenderRun}): at most
 * {@code concurrent} run at once, whatever the number of jobs printing. A job that finds none
 * free skips its early force; its FIN forces the spool all the same, so the bound costs latency,
 * never durability. Without it, each running job could keep a force in flight, and a server with
 * thousands of chatty jobs would queue as many syncs on one disk.
 *
 * <p>Thread-safe; one per server (owned by the {@link Launcher}).
 */
final class EarlyForces {
    /**
     * Background forces in flight at most: two keep a short job's first chunks off its critical
     * path when a few jobs end at once, and keep the disk's queue short when many do.
     */
    static final int CONCURRENT = 2;

    private final Semaphore slots;
    private final AtomicLong skipped = new AtomicLong();

    EarlyForces(int concurrent) {
        this.slots = new Semaphore(concurrent);
    }

    /**
     * Takes a slot if one is free, without waiting; the caller must {@link #done} it. A refusal is
     * counted ({@link #skipped}).
     */
    boolean tryStart() {
        if (slots.tryAcquire()) {
            return true;
        }
        skipped.incrementAndGet();
        return false;
    }

    /** Early forces not started because every slot was taken, since the server started. */
    long skipped() {
        return skipped.get();
    }

    /** Gives back a slot taken by {@link #tryStart}. */
    void done() {
        slots.release();
    }
}
