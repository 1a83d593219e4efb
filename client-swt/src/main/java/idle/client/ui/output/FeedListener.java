package idle.client.ui.output;

import idle.client.ui.UiThread;
import idle.client.ui.model.JobEvents;
import idle.client.ui.service.JobListener;
import idle.client.ui.service.ServiceException;
import idle.shared.model.JobSummary;
import idle.shared.model.StreamKind;

/**
 * Routes what the services push about jobs: output into the job's {@link JobFeed} (when this
 * listener's source owns it), state changes to the UI thread's {@link JobEvents}. Called on
 * service threads.
 */
public final class FeedListener implements JobListener {
    private final JobFeeds feeds;
    private final UiThread ui;
    private final JobEvents events;

    public FeedListener(JobFeeds feeds, UiThread ui, JobEvents events) {
        this.feeds = feeds;
        this.ui = ui;
        this.events = events;
    }

    @Override
    public void output(long jobId, StreamKind stream, byte[] data) {
        JobFeed feed = feeds.writableFeed(jobId, this);
        if (feed != null) {
            feed.buffer().append(stream, data);
        }
    }

    @Override
    public void state(JobSummary job) {
        JobFeed feed = feeds.writableFeed(job.jobId(), this);
        if (feed != null) {
            JobSummary before = feed.latest;
            feed.latest = job;
            // Only a transition seen live gets a closing note; a replay of a finished job does not.
            if (job.state().isTerminal() && before != null && !before.state().isTerminal()) {
                feed.buffer().note("— " + job.scriptName() + ": "
                        + idle.client.ui.model.VoteTexts.outcome(job) + " —");
            }
        }
        ui.async(null, () -> events.publish(job));
    }

    @Override
    public void restarted(long jobId, int attempt) {
        JobFeed feed = feeds.writableFeed(jobId, this);
        if (feed != null) {
            feed.buffer().resetStreams();
            feed.buffer().note("— the lender went away; restarted on another lender (attempt "
                    + attempt + "), output starts again —");
        }
    }

    @Override
    public void failed(long jobId, ServiceException error) {
        JobFeed feed = feeds.writableFeed(jobId, this);
        if (feed != null) {
            feed.buffer().note("— stopped following: " + error.getMessage() + " —");
        }
    }
}
