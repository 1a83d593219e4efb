package idle.server.dispatch;

import idle.db.Database;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The scripts of jobs waiting to be dispatched. A script lives in its job's database row from
 * submission on; the server's memory keeps only a cache of them, bounded in bytes, so a queue of
 * any length costs the heap at most the bound. A job dispatched soon after it came in (the usual
 * case) finds its script in the cache; the others are read back from the database, off the state
 * machine's lock, just before their EXF is built ({@link Launcher}).
 *
 * <p>What is cached: a script is admitted when it fits in what is left of the bound, and leaves
 * the cache when its EXF is built ({@link #take}) or its job ends ({@link #forget}). A full cache
 * admits nothing new rather than evicting: queues are served oldest first, so the scripts already
 * in it are the ones needed soonest.
 *
 * <p>A sweep's tasks share their sweep's script: it is cached once, by sweep id, and stays while
 * the sweep has tasks to dispatch ({@link #sweepScript}, {@link #forgetSweep}).
 *
 * <p>Thread-safe; the cache's own lock is held only for map operations, never for I/O.
 */
final class Scripts {
    private final Database db;
    private final long maxBytes;
    private final Map<Long, byte[]> cache = new LinkedHashMap<>();
    /** Scripts of sweeps, by sweep id: one copy for all of a sweep's tasks. */
    private final Map<Long, byte[]> sweeps = new LinkedHashMap<>();
    private long bytes;

    /** @param maxBytes the most script bytes kept in memory; 0 keeps none */
    Scripts(Database db, long maxBytes) {
        this.db = db;
        this.maxBytes = maxBytes;
    }

    /**
     * Keeps the script of stored job {@code jobId} in memory if it fits.
     *
     * @return whether it is in the cache now
     */
    synchronized boolean remember(long jobId, byte[] script) {
        if (cache.containsKey(jobId)) {
            return true;
        }
        if (bytes + script.length > maxBytes) {
            return false;
        }
        cache.put(jobId, script);
        bytes += script.length;
        return true;
    }

    /** The cached script of {@code jobId}, removed from the cache; null when not cached. */
    synchronized byte[] takeCached(long jobId) {
        byte[] s = cache.remove(jobId);
        if (s != null) {
            bytes -= s.length;
        }
        return s;
    }

    /** The cached script of {@code jobId}, left in the cache; null when not cached. */
    synchronized byte[] peekCached(long jobId) {
        return cache.get(jobId);
    }

    /**
     * The script of job {@code jobId} for one of its replicas: from the cache (where it stays
     * for the others), or read from the database. Blocks on the database when not cached.
     *
     * @throws IOException when the database cannot give it
     */
    byte[] read(long jobId) throws IOException {
        byte[] s = peekCached(jobId);
        return s != null ? s : stored(jobId);
    }

    /** Job {@code jobId} no longer needs its script in memory (it ended). */
    void forget(long jobId) {
        takeCached(jobId);
    }

    /**
     * The script of job {@code jobId}: from the cache (and out of it), or read from the
     * database. Blocks on the database when not cached: not under the state machine's lock.
     *
     * @throws IOException when the database cannot give it; the message is for the job's owner
     */
    byte[] take(long jobId) throws IOException {
        byte[] s = takeCached(jobId);
        return s != null ? s : stored(jobId);
    }

    /** The script of job {@code jobId} as the database has it (blocks on it). */
    private byte[] stored(long jobId) throws IOException {
        Optional<byte[]> stored;
        try {
            stored = db.inTransaction(tx -> tx.jobs().scriptOf(jobId));
        } catch (RuntimeException e) {
            throw new IOException("its script could not be read from the database ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (stored.isEmpty()) {
            throw new IOException("its script is missing from the database");
        }
        return stored.get();
    }

    // ---- sweeps: one script for many tasks, kept while the sweep has tasks to dispatch ----

    /** Keeps the script of sweep {@code sweepId} in memory if it fits. */
    synchronized void rememberSweep(long sweepId, byte[] script) {
        if (sweeps.containsKey(sweepId) || bytes + script.length > maxBytes) {
            return;
        }
        sweeps.put(sweepId, script);
        bytes += script.length;
    }

    /** The cached script of sweep {@code sweepId} (it stays cached), or null. */
    synchronized byte[] sweepCached(long sweepId) {
        return sweeps.get(sweepId);
    }

    /** Sweep {@code sweepId} ended: its script leaves memory. */
    synchronized void forgetSweep(long sweepId) {
        byte[] s = sweeps.remove(sweepId);
        if (s != null) {
            bytes -= s.length;
        }
    }

    /**
     * The script of sweep {@code sweepId}: from the cache, or read from the database (and cached
     * if it fits, for the sweep's next tasks). Blocks on the database when not cached.
     *
     * @throws IOException when the database cannot give it; the message is for the owner
     */
    byte[] sweepScript(long sweepId) throws IOException {
        byte[] s = sweepCached(sweepId);
        if (s != null) {
            return s;
        }
        Optional<byte[]> stored;
        try {
            stored = db.inTransaction(tx -> tx.sweeps().scriptOf(sweepId));
        } catch (RuntimeException e) {
            throw new IOException("its sweep's script could not be read from the database ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (stored.isEmpty()) {
            throw new IOException("its sweep's script is missing from the database");
        }
        rememberSweep(sweepId, stored.get());
        return stored.get();
    }

    /** Bytes of scripts held now. */
    synchronized long cachedBytes() {
        return bytes;
    }
}
