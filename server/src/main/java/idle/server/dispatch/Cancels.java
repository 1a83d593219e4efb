package idle.server.dispatch;

import idle.db.entity.Job;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.peer.Peer;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.protocol.Code;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * CAN: a runner cancels one of its jobs. A queued job ends at once; a running one is killed by
 * its lender, which ends the attempt with FIN{Cancelled}. A lender that does not confirm within
 * the grace no longer holds the job up: it ends CANCELLED without it (the lender keeps the slot
 * until its FIN for that attempt or its disconnection, since it may still run the process).
 *
 * <p>Threads: requests on the runner's reader thread; deadlines on the {@link Deadlines} thread.
 */
final class Cancels {
    private static final Logger LOG = Logger.getLogger(Cancels.class.getName());

    private final JobStateMachine jobs;
    private final JobQueries queries;
    private final AuditLog audit;
    private final Deadlines deadlines;
    private final Duration grace;

    /** @param grace how long a lender may take to end a cancelled job */
    Cancels(JobStateMachine jobs, JobQueries queries, AuditLog audit, Deadlines deadlines,
            Duration grace) {
        this.jobs = jobs;
        this.queries = queries;
        this.audit = audit;
        this.deadlines = deadlines;
        this.grace = grace;
    }

    /** CAN#n: cancel a queued or running job of the requester. */
    void cancel(Peer runner, int n, long jobId) {
        String user = runner.user();
        String remote = runner.remoteAddress();
        Boolean queued = jobs.lockedGet(() -> {
            ActiveJob j = jobs.activeLocked(jobId);
            // a replica of a verified job is no job of its owner's: only the job is cancelled
            if (j == null || !j.owner.equals(user) || j.state.isTerminal() || j.verifyOf != 0) {
                return null;
            }
            return cancelLocked(j, new ProgressWrite.Audited(AuditAction.CAN, user, n,
                    "queued job cancelled", remote),
                    () -> runner.send(n, new Message.Success(new Result.Empty())));
        });
        if (queued == null) {
            refuse(runner, n, jobId);
        } else if (!queued) {
            runner.send(n, new Message.Success(new Result.Empty()));
            audit.record(user, AuditAction.CAN, n, jobId, Code.SCF,
                    "running job: kill sent to lender", remote);
        }
    }

    /**
     * Cancels active job {@code j} (not ended): a queued one ends CANCELLED at once (audited as
     * {@code audited}, then {@code afterQueued} runs; both may be null); a running one is killed
     * by its lender, which ends the attempt with FIN{Cancelled}, or it ends without it after the
     * grace. Call under the state machine's lock.
     *
     * @return true when it was queued (and has ended), false when it was running
     */
    boolean cancelLocked(ActiveJob j, ProgressWrite.Audited audited, Runnable afterQueued) {
        if (j.vote != null && j.verifyOf == 0) {
            // a verified job: its replicas are cancelled, it ends now
            jobs.votesLocked().closeLocked(j, r -> cancelLocked(r, null, null));
            jobs.endLocked(j, Ending.cancelled(j.state == JobState.QUEUED
                    ? Reasons.CANCELLED_BEFORE_RUN : Reasons.CANCELLED), audited, afterQueued);
            return true;
        }
        if (j.state == JobState.QUEUED) {
            jobs.schedulerLocked().remove(j);
            jobs.endLocked(j, Ending.cancelled(Reasons.CANCELLED_BEFORE_RUN), audited,
                    afterQueued);
            return true;
        }
        // running: the lender kills it and ends the attempt with FIN{Cancelled}
        boolean first = !j.cancelRequested;
        j.cancelRequested = true;
        LenderHandle l = j.lender;
        if (first && l != null) {
            l.peer.send(l.peer.nextServerId(), new Message.Cancel(j.id));
            int attempt = j.attempts;
            int exchange = j.exchangeId;
            deadlines.after(grace, () -> overdue(j, l, attempt, exchange));
        }
        return false;
    }

    private void refuse(Peer runner, int n, long jobId) {
        String user = runner.user();
        Optional<Job> row = queries.findOwned(user, jobId);
        String why = row.isEmpty() ? "you have no job " + jobId
                : "job " + jobId + " already ended (" + row.get().getState() + ")";
        runner.send(n, new Message.Failure(row.isEmpty() ? FailureKind.NOT_FOUND
                : FailureKind.WRONG_STATE, why));
        audit.record(user, AuditAction.CAN, n, jobId, Code.FLD, row.isEmpty() ? "not found" : why,
                runner.remoteAddress());
    }

    /** The grace of a cancelled attempt passed: end it without the lender if it still runs. */
    private void overdue(ActiveJob j, LenderHandle l, int attempt, int exchange) {
        jobs.locked(() -> {
            if (j.lender != l || j.attempts != attempt || j.exchangeId != exchange
                    || j.state != JobState.RUNNING
                    || !j.cancelRequested) {
                return;
            }
            LOG.warning(() -> "lender " + l.pseudonym + " did not end cancelled job " + j.id
                    + " within " + grace.toSeconds() + " s; it is recorded CANCELLED");
            jobs.endLocked(j, Ending.cancelled(Reasons.cancelUnconfirmed(grace.toSeconds())),
                    null, null);
        });
    }
}
