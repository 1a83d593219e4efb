package idle.client.ui.output;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The feeds of all jobs whose output this workbench receives, by job id. A feed belongs to one
 * source; output from another source for the same job (say the submission's subscription after
 * the tab re-followed the job from the start) is ignored, so nothing shows twice. Thread-safe.
 */
public final class JobFeeds {
    /** Characters one feed keeps waiting for its tab at most. */
    public static final int DEFAULT_PENDING_CHARS = 2 * 1024 * 1024;

    private final ConcurrentHashMap<Long, JobFeed> feeds = new ConcurrentHashMap<>();
    private final int maxPendingChars;

    public JobFeeds() {
        this(DEFAULT_PENDING_CHARS);
    }

    public JobFeeds(int maxPendingChars) {
        this.maxPendingChars = maxPendingChars;
    }

    /**
     * The feed {@code source} may write to: created for it when the job has none yet; null when
     * another source owns the job's feed.
     */
    public JobFeed writableFeed(long jobId, Object source) {
        JobFeed feed = feeds.computeIfAbsent(jobId, id -> new JobFeed(id, source, maxPendingChars));
        return feed.source() == source && !feed.isDiscarding() ? feed : null;
    }

    /** The job's current feed, or null. */
    public JobFeed get(long jobId) {
        return feeds.get(jobId);
    }

    /** Replaces the job's feed by a fresh one owned by {@code source}; the old one is discarded. */
    public JobFeed replace(long jobId, Object source) {
        JobFeed fresh = new JobFeed(jobId, source, maxPendingChars);
        JobFeed old = feeds.put(jobId, fresh);
        if (old != null) {
            old.discard();
        }
        return fresh;
    }

    /** Forgets every feed (logout), discarding them. */
    public void clear() {
        feeds.values().forEach(JobFeed::discard);
        feeds.clear();
    }
}
