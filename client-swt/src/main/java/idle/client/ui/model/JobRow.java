package idle.client.ui.model;

import idle.client.ui.service.SubmitRequest;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.util.Objects;

/**
 * One job of this session in the queue view: what was asked (kept for re-run) and what the
 * server last said. Mutable; UI thread only.
 */
public final class JobRow {
    /** Where the submission itself is. */
    public enum Phase { SUBMITTING, ACCEPTED, REJECTED, ERROR }

    private final SubmitRequest request;
    private final long createdAt;
    private Phase phase = Phase.SUBMITTING;
    private long jobId;
    private JobSummary summary;
    private String note = "Submitting…";

    public JobRow(SubmitRequest request, long createdAt) {
        this.request = Objects.requireNonNull(request, "request");
        this.createdAt = createdAt;
    }

    public SubmitRequest request() {
        return request;
    }

    public long createdAt() {
        return createdAt;
    }

    public Phase phase() {
        return phase;
    }

    /** The server's id, 0 until accepted. */
    public long jobId() {
        return jobId;
    }

    /** The last summary the server sent; null until the first. */
    public JobSummary summary() {
        return summary;
    }

    public String note() {
        return note;
    }

    public String scriptName() {
        return summary != null ? summary.scriptName() : request.scriptName();
    }

    /** The job's vote as last told ({@link Verification#NONE} before the server's answer). */
    public Verification vote() {
        return summary == null ? Verification.NONE : summary.verification();
    }

    /** True when the job can still be cancelled. */
    public boolean isCancellable() {
        return phase == Phase.ACCEPTED && (summary == null || !summary.state().isTerminal());
    }

    /** True when the job will not change any more. */
    public boolean isDone() {
        return phase == Phase.REJECTED || phase == Phase.ERROR
                || (summary != null && summary.state().isTerminal());
    }

    public void accepted(long id, JobState state, String serverNote) {
        phase = Phase.ACCEPTED;
        jobId = id;
        note = serverNote == null ? "" : serverNote;
        if (summary == null) {
            summary = new JobSummary(id, request.scriptName(), state, null, null, "", "", 0,
                    System.currentTimeMillis(), 0, 0, 0);
            if (request.verify() >= 2) { // its vote shows at once; the server's events follow
                summary = summary.withVerification(new Verification(request.verify(),
                        VoteState.PENDING, 0, 0, request.compare()));
                note = note.isEmpty() ? VoteTexts.waiting(summary.verification()) : note;
            }
        }
    }

    /** The server said NLA: nobody can run it; {@code reason} is shown as it is. */
    public void rejected(String reason) {
        phase = Phase.REJECTED;
        note = "Not accepted: " + reason;
    }

    public void failed(String message) {
        phase = Phase.ERROR;
        note = message;
    }

    public void update(JobSummary latest) {
        if (summary != null && summary.state().isTerminal() && !latest.state().isTerminal()) {
            return; // a late event must not revive a finished job
        }
        summary = latest;
        if (latest.state().isTerminal()) {
            note = VoteTexts.outcome(latest);
        } else if (latest.verification().state() == VoteState.PENDING) {
            // no output arrives while the vote runs: say why, or what the server waits for
            note = latest.reason().isEmpty() ? VoteTexts.waiting(latest.verification()) : latest.reason();
        } else if (latest.attempts() > 1) {
            note = "Restarted on another lender (attempt " + latest.attempts() + ")";
        } else if (latest.state() == JobState.RUNNING) {
            note = "";
        } else if (!latest.reason().isEmpty()) {
            note = latest.reason();
        }
    }
}
