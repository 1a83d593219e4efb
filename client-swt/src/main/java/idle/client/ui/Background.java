package idle.client.ui;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.swt.widgets.Widget;

/**
 * Runs network and disk work off the UI thread (the loading-job pattern): the work runs on a
 * worker, and one {@code finally}-like path hands either its result or its failure to the UI
 * thread through {@link UiThread}, dropped when the owner widget is gone. Failures go to the
 * {@link ErrorReporter} unless the caller handles them.
 */
public final class Background implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Background.class.getName());

    private final UiThread ui;
    private final ErrorReporter errors;
    private final ExecutorService workers;

    public Background(UiThread ui, ErrorReporter errors) {
        this.ui = Objects.requireNonNull(ui, "ui");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.workers = Executors.newCachedThreadPool(new Daemons());
    }

    /** Work whose result is wanted on the UI thread. */
    @FunctionalInterface
    public interface Work<T> {
        T call() throws Exception;
    }

    /**
     * Runs {@code work} on a worker; {@code onDone} gets the result on the UI thread, failures go
     * to the error reporter as {@code action}. Any thread.
     */
    public <T> Future<?> run(Widget owner, String action, boolean interactive, Work<T> work,
            Consumer<T> onDone) {
        return run(owner, work, onDone, failure -> errors.report(action, failure, interactive));
    }

    /**
     * Like {@link #run(Widget, String, boolean, Work, Consumer)}, and {@code afterFailure} runs on
     * the UI thread after the failure was reported (to reset a busy indication).
     */
    public <T> Future<?> run(Widget owner, String action, boolean interactive, Work<T> work,
            Consumer<T> onDone, Runnable afterFailure) {
        return run(owner, work, onDone, failure -> {
            errors.report(action, failure, interactive);
            afterFailure.run();
        });
    }

    /**
     * Runs {@code work} on a worker; exactly one of {@code onDone} and {@code onFailure} is called
     * on the UI thread (unless the owner was disposed or the task was cancelled). Any thread.
     */
    public <T> Future<?> run(Widget owner, Work<T> work, Consumer<T> onDone,
            Consumer<Throwable> onFailure) {
        Callable<Void> task = () -> {
            T result;
            try {
                result = work.call();
            } catch (Throwable t) {
                if (Thread.currentThread().isInterrupted()) {
                    return null;
                }
                LOG.log(Level.FINE, "background work failed", t);
                ui.async(owner, () -> onFailure.accept(t));
                return null;
            }
            ui.async(owner, () -> onDone.accept(result));
            return null;
        };
        try {
            return workers.submit(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // The window closed (workers shut down) before a late event asked for work: drop it,
            // like UiThread drops work for disposed widgets.
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    /** Runs fire-and-forget work whose failures are only logged (e.g. saving settings). */
    public void runQuietly(String what, Work<?> work) {
        workers.submit(() -> {
            try {
                work.call();
            } catch (Exception e) {
                LOG.log(Level.WARNING, what + " failed", e);
            }
            return null;
        });
    }

    /** Stops accepting work and waits up to {@code millis} for running work to end. */
    public void shutdown(long millis) {
        workers.shutdown();
        try {
            workers.awaitTermination(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    @Override
    public void close() {
        shutdown(2000);
    }

    private static final class Daemons implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "idle-ui-worker-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
