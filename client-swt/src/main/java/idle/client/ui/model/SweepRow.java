package idle.client.ui.model;

import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One sweep as the workbench shows it: one expandable row with a progress bar and counts, its
 * tasks as child rows. It starts from the server's {@link SweepSummary} and, while followed,
 * counts from its tasks' changes (a task's end is never undone by a late event). UI thread only.
 */
public final class SweepRow {
    private SweepSummary summary;
    private final Map<Integer, JobSummary> tasks = new TreeMap<>();
    /** Whether the counts come from the tasks heard (true once followed or loaded). */
    private boolean live;

    public SweepRow(SweepSummary summary) {
        this.summary = summary;
    }

    public long sweepId() {
        return summary.sweepId();
    }

    public String scriptName() {
        return summary.scriptName();
    }

    public SweepSummary summary() {
        return summary;
    }

    /** A newer summary from the server (its counts win while no task was heard). */
    public void update(SweepSummary s) {
        summary = s;
    }

    /** A task's state; returns false when it was older than what is known. */
    public boolean task(JobSummary t) {
        JobSummary old = tasks.get(t.taskIndex());
        if (old != null && (old.state().isTerminal()
                || !t.state().isTerminal() && t.attempts() < old.attempts())) {
            return false;
        }
        tasks.put(t.taskIndex(), t);
        live = true;
        return true;
    }

    /** The tasks heard of, by index. */
    public List<JobSummary> tasks() {
        return new ArrayList<>(tasks.values());
    }

    /** Tasks the sweep holds (or is declared with while its tasks still arrive). */
    public int total() {
        return Math.max(summary.open() ? summary.taskCount() : summary.tasks(), tasks.size());
    }

    /** {queued, running, succeeded, failed, cancelled}. */
    public int[] counts() {
        if (!live) {
            return new int[] {summary.queued(), summary.running(), summary.succeeded(),
                summary.failed(), summary.cancelled()};
        }
        int[] c = new int[5];
        for (JobSummary t : tasks.values()) {
            JobState s = t.state();
            c[switch (s) {
                case QUEUED -> 0;
                case RUNNING -> 1;
                case SUCCEEDED -> 2;
                case CANCELLED -> 4;
                default -> 3;
            }]++;
        }
        c[0] += Math.max(0, total() - tasks.size()); // not heard of yet: waiting
        return c;
    }

    /** Tasks that ended. */
    public int ended() {
        int[] c = counts();
        return c[2] + c[3] + c[4];
    }

    public boolean isDone() {
        return !summary.open() && ended() >= total();
    }

    /** "3 queued · 2 running · 14 done · 1 failed" (zeros left out, but never empty). */
    public String countsText() {
        int[] c = counts();
        List<String> parts = new ArrayList<>();
        String[] names = {"queued", "running", "done", "failed", "cancelled"};
        for (int i = 0; i < c.length; i++) {
            if (c[i] > 0) {
                parts.add(c[i] + " " + names[i]);
            }
        }
        return parts.isEmpty() ? "no tasks yet" : String.join(" · ", parts);
    }

    /** The elapsed time from submission to now, or to the end. */
    public long elapsedMillis(long now) {
        long end = summary.finishedAt() != 0 ? summary.finishedAt() : isDone() ? lastEnd() : now;
        return Math.max(0, end - summary.submittedAt());
    }

    private long lastEnd() {
        long m = 0;
        for (JobSummary t : tasks.values()) {
            m = Math.max(m, t.finishedAt());
        }
        return m == 0 ? summary.submittedAt() : m;
    }
}
