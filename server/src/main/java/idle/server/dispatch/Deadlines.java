package idle.server.dispatch;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The job service's timer: what must happen if a lender does not do what it was told in time (a
 * cancelled job's kill, a job over the server's limit stopped). One daemon thread; a task must
 * only take the state machine's lock and queue writes, never block. Once {@link #stop}ped (the
 * server is shutting down) new deadlines are dropped: what they would end is re-queued or ended
 * at the next start.
 */
final class Deadlines {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("idle-coordinator-timer").daemon(true).factory());

    /** Runs {@code task} once {@code delay} passed, unless stopped before. */
    void after(Duration delay, Runnable task) {
        try {
            timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping: see the class comment
        }
    }

    void stop() {
        timer.shutdownNow();
    }
}
