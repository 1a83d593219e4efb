package idle.client.cli;

import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The one line {@code idle run} shows for a sweep instead of hundreds of streams: tasks queued,
 * running, done and failed, the time since it started and an estimate of the time left
 * (the time per ended task so far times the tasks left). On a terminal the line is redrawn in
 * place ({@code \r} and erase to the end of line) at most every 200 ms; elsewhere nothing is
 * drawn until {@link #finish}, which prints the last state once. Thread-safe.
 */
final class SweepProgress {
    private final PrintStream err;
    private final boolean live;
    private final long startNanos;
    private final Map<Integer, JobState> states = new HashMap<>();
    private long sweepId;
    private int tasks;
    private long lastDraw;
    private boolean drawn;

    /** @param live redraw in place (a terminal) */
    SweepProgress(PrintStream err, boolean live, long startNanos) {
        this.err = err;
        this.live = live;
        this.startNanos = startNanos;
    }

    synchronized void sweep(long id, int taskCount) {
        this.sweepId = id;
        this.tasks = taskCount;
        draw(false);
    }

    synchronized void changed(JobSummary s) {
        JobState old = states.get(s.taskIndex());
        if (old == null || !old.isTerminal()) {
            states.put(s.taskIndex(), s.state());
        }
        draw(false);
    }

    /** The counts now: queued, running, done (succeeded), failed (any other end). */
    synchronized int[] counts() {
        int running = 0;
        int done = 0;
        int failed = 0;
        for (JobState st : states.values()) {
            if (st == JobState.RUNNING) {
                running++;
            } else if (st == JobState.SUCCEEDED) {
                done++;
            } else if (st.isTerminal()) {
                failed++;
            }
        }
        int queued = Math.max(0, tasks - running - done - failed);
        return new int[] {queued, running, done, failed};
    }

    /** The line for the counts now, {@code elapsedMillis} after the start. */
    synchronized String line(long elapsedMillis) {
        int[] c = counts();
        int ended = c[2] + c[3];
        StringBuilder sb = new StringBuilder("sweep ").append(sweepId).append(": ").append(tasks)
                .append(" tasks: ").append(c[0]).append(" queued, ").append(c[1])
                .append(" running, ").append(c[2]).append(" done, ").append(c[3])
                .append(" failed; ").append(clock(elapsedMillis)).append(" elapsed");
        if (ended > 0 && ended < tasks) {
            long left = elapsedMillis * (tasks - ended) / ended;
            sb.append(", about ").append(clock(left)).append(" left");
        }
        return sb.toString();
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clock(long millis) {
        long s = Math.max(0, millis) / 1000;
        long h = s / 3600;
        long m = s / 60 % 60;
        long sec = s % 60;
        return h > 0 ? String.format("%d:%02d:%02d", h, m, sec) : String.format("%d:%02d", m, sec);
    }

    private long elapsed() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private void draw(boolean force) {
        if (!live) {
            return;
        }
        long now = System.nanoTime();
        if (!force && drawn && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        drawn = true;
        err.print("\r" + line(elapsed()) + "\u001b[K");
        err.flush();
    }

    /** Clears the line so other text can be printed; the next change draws it again. */
    synchronized void clear() {
        if (live && drawn) {
            err.print("\r\u001b[K");
            err.flush();
            drawn = false;
        }
    }

    /** Prints the final state once, on a line of its own. */
    synchronized void finish() {
        if (live) {
            err.print("\r" + line(elapsed()) + "\u001b[K\n");
        } else {
            err.println(line(elapsed()));
        }
        err.flush();
        drawn = false;
    }
}
