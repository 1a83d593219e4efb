package idle.client.ui.output;

import idle.client.ui.service.Following;
import idle.shared.model.JobSummary;

/**
 * The output of one job on its way to an output tab: a bounded {@link OutputBuffer} filled by
 * exactly one source (the submission's subscription or a follow), drained by at most one tab.
 * Thread-safe.
 */
public final class JobFeed {
    private final long jobId;
    private final Object source;
    private final OutputBuffer buffer;
    private volatile boolean claimed;
    private volatile boolean discarding;
    private volatile Following following;

    JobFeed(long jobId, Object source, int maxPendingChars) {
        this.jobId = jobId;
        this.source = source;
        this.buffer = new OutputBuffer(maxPendingChars);
    }

    public long jobId() {
        return jobId;
    }

    Object source() {
        return source;
    }

    public OutputBuffer buffer() {
        return buffer;
    }

    /** Marks the feed as shown by a tab; false when a tab already took it. */
    public synchronized boolean claim() {
        if (claimed) {
            return false;
        }
        claimed = true;
        return true;
    }

    /** The tab went away: further output is dropped, a follow is closed. Any thread. */
    public void discard() {
        discarding = true;
        Following f = following;
        if (f != null) {
            f.close();
        }
        buffer.drain();
    }

    public boolean isDiscarding() {
        return discarding;
    }

    /** Attaches the follow that feeds this buffer, so discarding closes it. */
    public void setFollowing(Following f) {
        following = f;
        if (discarding && f != null) {
            f.close();
        }
    }

    /** Unused by the feed itself; kept by listeners for the tab title. */
    volatile JobSummary latest;

    public JobSummary latest() {
        return latest;
    }
}
