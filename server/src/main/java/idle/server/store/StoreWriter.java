package idle.server.store;

import idle.db.Database;
import idle.db.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single writer of job state and audit rows: a group commit. Changes queue up in the order they
 * were made; one thread takes everything queued (up to a batch size), applies it in one transaction
 * and commits, then runs each change's {@code committed} callback. So the reply that depends on a
 * change (SCF for RCS, JST to a runner, EXF to a lender) goes out only after the change is
 * durable, and one disk sync covers a whole batch: throughput rises with load instead of being
 * capped at one sync per change.
 *
 * <p>If a batch fails, its changes are retried one per transaction so one bad change cannot sink
 * the others; a change that still fails gets its {@code failed} callback. Callbacks run on the
 * writer thread and must not block.
 */
public final class StoreWriter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StoreWriter.class.getName());

    /** One change. {@link #apply} may run twice (batch then alone): it must only touch the DB. */
    public interface Op {
        void apply(Transaction tx);

        /** Whether {@link #written} has something to do. */
        default boolean early() {
            return false;
        }

        /**
         * The change was applied to the transaction that commits next (ids it assigned are
         * known; its statements may still be unsent) and the commit has not happened: what may
         * safely go out before the change is durable (e.g. an EXF whose lender's answers are
         * written after this change) goes out here, without waiting for the batch's statements
         * to run. Runs on the writer thread, must not block, and may run again if the batch fails
         * (at its statements or its commit) and the change is retried alone; {@link #failed}
         * then undoes what it did.
         */
        default void written() {
        }

        /** After the commit that contains the change. */
        default void committed() {
        }

        /** The change could not be written. */
        default void failed(RuntimeException e) {
            LOG.log(Level.SEVERE, "store write failed", e);
        }
    }

    private static final Op STOP = tx -> { };

    /**
     * Fault injection for tests (never set in production): a commit whose batch ran a
     * {@link Op#written} step waits this many milliseconds first, so that a test can kill the
     * server between what went out early and the commit.
     */
    public static final String PAUSE_PROPERTY = "idle.faults.pauseBeforeEarlyCommitMillis";
    private final long pauseBeforeCommitMillis = Long.getLong(PAUSE_PROPERTY, 0);

    private final Database db;
    private final int maxBatch;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopping;
    private long batches;
    private long ops;

    public StoreWriter(Database db, int maxBatch) {
        this.db = db;
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().name("idle-store-writer").daemon(false)
                .unstarted(this::loop);
        thread.start();
    }

    /** Queues a change; it is written in order with every other change. */
    public void submit(Op op) {
        synchronized (queue) {
            if (!stopping) {
                queue.add(op);
                return;
            }
        }
        op.failed(new IllegalStateException("the server is shutting down"));
    }

    /** Runs {@code work} in the writer's order and waits for its commit; returns its result. */
    public <T> T call(Function<Transaction, T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Object[] box = new Object[1];
        submit(new Op() {
            @Override
            public void apply(Transaction tx) {
                box[0] = work.apply(tx);
            }

            @Override
            @SuppressWarnings("unchecked")
            public void committed() {
                done.complete((T) box[0]);
            }

            @Override
            public void failed(RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Batches committed and changes written so far. */
    public synchronized long[] stats() {
        return new long[] {batches, ops};
    }

    /**
     * CPU time the writer thread has used so far, in nanoseconds (user + system, from
     * {@link java.lang.management.ThreadMXBean}); -1 when the JVM does not measure it.
     */
    public long cpuNanos() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(thread.threadId()) : -1;
    }

    private void loop() {
        try {
            drain();
        } finally {
            long cpu = cpuNanos();
            long[] st = stats();
            LOG.info(String.format(java.util.Locale.ROOT, "store writer: %d commits, %d changes,"
                    + " %.1f s of CPU (%.1f us per change)", st[0], st[1], cpu / 1e9,
                    cpu / 1e3 / Math.max(1, st[1])));
        }
    }

    /** Writes batches until {@link #STOP} was taken. */
    private void drain() {
        List<Op> batch = new ArrayList<>(maxBatch);
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            queue.drainTo(batch, maxBatch - 1);
            int s = batch.indexOf(STOP);
            if (s >= 0) {
                stop = true;
                // STOP is queued last; nothing follows it
                batch.remove(s);
            }
            if (!batch.isEmpty()) {
                write(batch);
            }
            batch.clear();
        }
    }

    private void write(List<Op> batch) {
        try {
            db.useTransaction(tx -> {
                boolean early = false;
                for (Op op : batch) {
                    op.apply(tx);
                    early |= op.early();
                }
                if (early) {
                    writtenBeforeCommit(tx, batch);
                }
            });
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                fail(batch.get(0), e);
                return;
            }
            LOG.log(Level.WARNING, "batch of " + batch.size() + " failed; retrying one by one", e);
            for (Op op : batch) {
                try {
                    db.useTransaction(tx -> {
                        op.apply(tx);
                        if (op.early()) {
                            writtenBeforeCommit(tx, List.of(op));
                        }
                    });
                } catch (RuntimeException e2) {
                    fail(op, e2);
                    continue;
                }
                done(op);
            }
            return;
        }
        synchronized (this) {
            batches++;
            ops += batch.size();
        }
        for (Op op : batch) {
            done(op);
        }
    }

    /**
     * Runs the {@link Op#written} steps; the batch's statements and the commit follow. The steps
     * go first because the statements of a batch are most of its CPU (about a millisecond for a
     * single job's insert): an EXF sent after them would start its sandbox that much later. A
     * row refused by the database then fails the batch after the step ran, as a failed commit
     * would.
     */
    private void writtenBeforeCommit(Transaction tx, List<Op> batch) {
        for (Op op : batch) {
            if (op.early()) {
                try {
                    op.written();
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "before-commit step failed", e);
                }
            }
        }
        tx.flush();
        if (pauseBeforeCommitMillis > 0) {
            pauseBeforeCommit();
        }
    }

    /** Fault injection only: see {@link #PAUSE_PROPERTY}. */
    private void pauseBeforeCommit() {
        try {
            Thread.sleep(pauseBeforeCommitMillis);
        } catch (InterruptedException e) {
            // not kept: an interrupted writer thread would fail Derby's next I/O
        }
    }

    private static void done(Op op) {
        try {
            op.committed();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "after-commit step failed", e);
        }
    }

    private static void fail(Op op, RuntimeException e) {
        try {
            op.failed(e);
        } catch (RuntimeException e2) {
            LOG.log(Level.SEVERE, "failure handler failed", e2);
        }
    }

    /** Writes everything queued, then stops the thread (waits at most {@code millis}). */
    @Override
    public void close() {
        close(30_000);
    }

    public void close(long millis) {
        synchronized (queue) {
            if (stopping) {
                return;
            }
            stopping = true;
            queue.add(STOP);
        }
        try {
            thread.join(TimeUnit.MILLISECONDS.toMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True on the writer thread (callbacks run there). */
    public boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }
}
