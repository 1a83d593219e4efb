package idle.shared.model;

import java.util.Objects;

/**
 * One sweep as a runner sees it: many tasks of one script, shown as one row. Times are epoch
 * milliseconds, {@code finishedAt} 0 until every task ended.
 *
 * @param sweepId the sweep's id (its own numbering, not a job id)
 * @param scriptName the script every task runs
 * @param taskCount the number of tasks the sweep was declared with ({@code IDLE_TASK_COUNT});
 *     a retry sweep keeps the count of the sweep it retries
 * @param tasks the tasks the sweep holds (fewer than {@code taskCount} for a retry, or while
 *     they are still arriving, or when the upload stopped early)
 * @param queued tasks waiting for a lender
 * @param running tasks on a lender
 * @param succeeded tasks that ended with exit status 0
 * @param failed tasks that ended otherwise (failed, over a limit, lost)
 * @param cancelled tasks cancelled
 * @param retryOf the sweep whose failed tasks this one runs again, 0 for none
 * @param open true while the runner is still sending tasks
 */
public record SweepSummary(long sweepId, String scriptName, int taskCount, int tasks, int queued,
        int running, int succeeded, int failed, int cancelled, long submittedAt, long finishedAt,
        long retryOf, boolean open) {
    public SweepSummary {
        Objects.requireNonNull(scriptName, "scriptName");
        if (taskCount < 0 || tasks < 0 || queued < 0 || running < 0 || succeeded < 0
                || failed < 0 || cancelled < 0) {
            throw new IllegalArgumentException("negative count in sweep " + sweepId);
        }
    }

    /** Tasks that ended, whichever way. */
    public int ended() {
        return succeeded + failed + cancelled;
    }

    /** True once the sweep holds all its tasks and every one ended. */
    public boolean isFinished() {
        return !open && ended() >= tasks;
    }
}
