package idle.client.runner;

import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A sweep this client follows: the latest state of each task it heard of (by task index), how
 * many ended, and two futures: {@link #uploaded()} (every task is at the server, with the number
 * it holds) and {@link #completion()} (every one of them ended; with the end state of each). A
 * task's state never goes back from an end, whatever order events arrive in (a re-attach replays
 * them). Thread-safe.
 */
public final class FollowedSweep {
    private final long sweepId;
    private final SweepListener listener;
    private final Map<Integer, JobSummary> tasks = new TreeMap<>();
    private final CompletableFuture<Integer> uploaded = new CompletableFuture<>();
    private final CompletableFuture<Map<Integer, JobSummary>> completion =
            new CompletableFuture<>();
    private int ended;
    /** Tasks the sweep holds, once known (-1 before). */
    private int expected = -1;
    private volatile SweepSummary summary;

    FollowedSweep(long sweepId, SweepSummary first, SweepListener listener) {
        this.sweepId = sweepId;
        this.summary = first;
        this.listener = listener == null ? new SweepListener() { } : listener;
    }

    public long sweepId() {
        return sweepId;
    }

    /** The summary the server gave when it accepted or re-attached the sweep. */
    public SweepSummary summary() {
        return summary;
    }

    /** Completes with the number of tasks the server holds once every batch was answered. */
    public CompletableFuture<Integer> uploaded() {
        return uploaded;
    }

    /** Completes when every task the sweep holds ended: the last state of each, by index. */
    public CompletableFuture<Map<Integer, JobSummary>> completion() {
        return completion;
    }

    /** The latest state of every task heard of, by index (a copy). */
    public synchronized Map<Integer, JobSummary> tasks() {
        return new TreeMap<>(tasks);
    }

    /** Tasks that ended. */
    public synchronized int endedCount() {
        return ended;
    }

    SweepListener listener() {
        return listener;
    }

    void reattached(SweepSummary s) {
        summary = s;
        if (!s.open()) {
            expect(s.tasks());
        }
        listener.accepted(s);
    }

    /** The server holds {@code n} tasks of this sweep and gets no more. */
    void expect(int n) {
        boolean done;
        synchronized (this) {
            expected = n;
            done = ended >= expected;
        }
        uploaded.complete(n);
        if (done) {
            finish();
        }
    }

    /** Uploading failed: the sweep holds only what got there (known at the next attach). */
    void uploadFailed(Throwable why) {
        uploaded.completeExceptionally(why);
    }

    void event(JobSummary s) {
        boolean endedNow;
        boolean done;
        synchronized (this) {
            JobSummary old = tasks.get(s.taskIndex());
            if (old != null && !newer(s, old)) {
                return;
            }
            tasks.put(s.taskIndex(), s);
            endedNow = s.state().isTerminal();
            if (endedNow) {
                ended++;
            }
            done = expected >= 0 && ended >= expected;
        }
        listener.taskChanged(s);
        if (endedNow) {
            listener.taskEnded(s);
        }
        if (done) {
            finish();
        }
    }

    /** Whether {@code s} may replace {@code old}: an end never goes back. */
    static boolean newer(JobSummary s, JobSummary old) {
        if (old.state().isTerminal()) {
            return false;
        }
        return s.state().isTerminal() || s.attempts() > old.attempts()
                || s.attempts() == old.attempts() && rank(s.state()) >= rank(old.state());
    }

    private static int rank(JobState s) {
        return s == JobState.QUEUED ? 0 : s == JobState.RUNNING ? 1 : 2;
    }

    private void finish() {
        completion.complete(tasks());
    }

    void failed(Throwable why) {
        uploaded.completeExceptionally(why);
        completion.completeExceptionally(why);
    }

    public boolean isDone() {
        return completion.isDone();
    }
}
