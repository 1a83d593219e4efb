package idle.client.ui;

import idle.client.ui.model.JobEvents;
import idle.client.ui.model.JobRow;
import idle.client.ui.model.SessionJobs;
import idle.client.ui.model.VoteTexts;
import idle.client.ui.output.FeedListener;
import idle.client.ui.output.JobFeeds;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.ServiceException;
import idle.client.ui.service.SubmitRequest;
import idle.client.ui.views.OutputTabs;
import idle.shared.model.JobSummary;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.eclipse.swt.widgets.Widget;

/**
 * What the user does with jobs: submit, re-run, cancel, open. Talks to the session on workers and
 * updates {@link SessionJobs} on the UI thread. UI thread only.
 */
public final class JobsController {
    private final Widget owner;
    private final UiThread ui;
    private final Background background;
    private final Sessions sessions;
    private final SessionJobs jobs;
    private final JobFeeds feeds;
    private final JobEvents events;
    private final ErrorReporter errors;
    private final OutputTabs tabs;
    private final Consumer<String> statusMessage;
    private final Consumer<String> noLenders;

    /**
     * @param statusMessage shows a short message in the status line
     * @param noLenders shows why a job was not taken plainly (the queue view's banner): the
     *     server's NLA reason, or a job too large to submit
     */
    public JobsController(Widget owner, UiThread ui, Background background, Sessions sessions,
            SessionJobs jobs, JobFeeds feeds, JobEvents events, ErrorReporter errors, OutputTabs tabs,
            Consumer<String> statusMessage, Consumer<String> noLenders) {
        this.owner = Objects.requireNonNull(owner);
        this.ui = ui;
        this.background = background;
        this.sessions = sessions;
        this.jobs = jobs;
        this.feeds = feeds;
        this.events = events;
        this.errors = errors;
        this.tabs = tabs;
        this.statusMessage = statusMessage;
        this.noLenders = noLenders;
        events.addListener(summary -> jobs.update(summary.jobId(), row -> {
            boolean wasDone = row.isDone();
            row.update(summary);
            if (!wasDone && row.isDone() && summary.verification().verified()) {
                statusMessage.accept(ending(summary)); // "verified" or "no majority", said once
            }
        }));
    }

    /**
     * Submits the scripts one after the other, in order (so job ids follow the list); each gets a
     * row at once and an output tab once accepted (the first one in front).
     */
    public void submit(List<SubmitRequest> requests) {
        ClientSession session;
        try {
            session = sessions.require();
        } catch (ServiceException e) {
            errors.report("Submit", e, true);
            return;
        }
        List<JobRow> rows = new java.util.ArrayList<>();
        for (SubmitRequest request : requests) {
            JobRow row = new JobRow(request, System.currentTimeMillis());
            jobs.add(row);
            rows.add(row);
        }
        statusMessage.accept(requests.size() == 1 ? "Submitting " + requests.get(0).scriptName() + "…"
                : "Submitting " + requests.size() + " scripts…");
        submitNext(session, rows, 0);
    }

    private void submitNext(ClientSession session, List<JobRow> rows, int index) {
        if (index >= rows.size()) {
            return;
        }
        JobRow row = rows.get(index);
        SubmitRequest request = row.request();
        FeedListener listener = new FeedListener(feeds, ui, events);
        background.run(owner, () -> {
            var accepted = session.submit(request, listener);
            feeds.writableFeed(accepted.jobId(), listener);
            return accepted;
        }, accepted -> {
            row.accepted(accepted.jobId(), accepted.state(), accepted.note());
            var feed = feeds.get(accepted.jobId());
            if (feed != null && feed.latest() != null) {
                row.update(feed.latest());
            }
            jobs.changed(row);
            tabs.openSubmitted(accepted.jobId(), request.scriptName(), index == 0);
            statusMessage.accept("Submitted " + request.scriptName() + " as job " + accepted.jobId() + ".");
            submitNext(session, rows, index + 1);
        }, failure -> {
            Throwable t = UserMessages.unwrap(failure);
            if (t instanceof ServiceException se && se.kind() == ServiceException.Kind.NO_LENDERS) {
                row.rejected(se.getMessage());
                jobs.changed(row);
                noLenders.accept(request.scriptName() + " was not accepted: " + se.getMessage());
                statusMessage.accept(request.scriptName() + " was not accepted.");
            } else if (t instanceof ServiceException se && se.kind() == ServiceException.Kind.LIMIT) {
                // Too large (to send, or for the server): plainly above the tables, like an NLA.
                String prefix = request.scriptName() + ": ";
                String why = se.getMessage().startsWith(prefix)
                        ? se.getMessage().substring(prefix.length()) : se.getMessage();
                row.failed("Not submitted: " + why);
                jobs.changed(row);
                noLenders.accept(request.scriptName() + " was not submitted: " + why);
                errors.report("Submit " + request.scriptName(), t, false);
            } else {
                row.failed(UserMessages.describe(t));
                jobs.changed(row);
                errors.report("Submit " + request.scriptName(), t, false);
            }
            submitNext(session, rows, index + 1);
        });
    }

    /** How a job ended, for the status line and notifications: "Job 12 (x.py): …, verified: 2 of 2 lenders agree". */
    public static String ending(JobSummary job) {
        return "Job " + job.jobId() + " (" + job.scriptName() + "): " + VoteTexts.outcome(job);
    }

    /** Submits the same scripts again, with the same arguments and inputs. */
    public void rerun(List<JobRow> rows) {
        submit(rows.stream().map(JobRow::request).toList());
    }

    /** Asks the server to cancel the jobs. */
    public void cancel(List<Long> jobIds) {
        ClientSession session;
        try {
            session = sessions.require();
        } catch (ServiceException e) {
            errors.report("Cancel", e, true);
            return;
        }
        for (long id : jobIds) {
            background.run(owner, "Cancel job " + id, true, () -> {
                session.cancel(id);
                return id;
            }, done -> statusMessage.accept("Job " + done + " cancelled."));
        }
    }

    /** Opens the output tab of a job. */
    public void open(long jobId, String scriptName) {
        tabs.open(jobId, scriptName, true);
    }

    public SessionJobs jobs() {
        return jobs;
    }
}
