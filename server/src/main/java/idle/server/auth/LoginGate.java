package idle.server.auth;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds the password hashing done for people who have not logged in yet, so a login flood
 * cannot starve everything else. A check costs one PBKDF2 hash (about 120 ms to 0.5 s of CPU);
 * sessions run on virtual threads, and a virtual thread that hashes holds its carrier thread for
 * the whole hash, so a few dozen parallel logins would stop every heartbeat and relay on the
 * server until they were done.
 *
 * <p>So checks run on {@code workers} platform threads of their own (the operating system shares
 * the cores between them and the carriers), at most {@code workers} at a time with as many more
 * waiting; beyond that {@link #tryRun} refuses at once and the caller answers "server busy, try
 * again". The caller's virtual thread waits for its check without holding a carrier.
 * Thread-safe. The worker threads are daemons and end when idle, so there is nothing to close.
 */
public final class LoginGate {
    private final Semaphore admitted;
    private final ThreadPoolExecutor pool;

    /** A gate of {@link #defaultWorkers()} workers. */
    public LoginGate() {
        this(defaultWorkers());
    }

    /** @param workers how many checks run at a time; as many more may wait */
    public LoginGate(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers " + workers);
        }
        AtomicInteger n = new AtomicInteger();
        this.admitted = new Semaphore(2 * workers);
        this.pool = new ThreadPoolExecutor(workers, workers, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> Thread.ofPlatform().daemon(true)
                        .name("idle-login-check-" + n.incrementAndGet()).unstarted(r));
        pool.allowCoreThreadTimeOut(true);
    }

    /** {@code max(2, available processors)}. */
    public static int defaultWorkers() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs {@code check} on a worker and returns its result, or empty at once when the gate is
     * full (the check is not run).
     *
     * @throws InterruptedException when the caller is interrupted while its check runs (the
     *     check still finishes on its worker)
     */
    public <T> Optional<T> tryRun(Supplier<T> check) throws InterruptedException {
        if (!admitted.tryAcquire()) {
            return Optional.empty();
        }
        Future<T> f;
        try {
            f = pool.submit(() -> {
                try {
                    return check.get();
                } finally {
                    admitted.release();
                }
            });
        } catch (RuntimeException e) {
            admitted.release();
            throw e;
        }
        try {
            return Optional.of(f.get());
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }
}
