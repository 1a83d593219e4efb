package idle.server.dispatch;

import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.Limit;
import idle.shared.protocol.Code;
import java.time.Duration;
import java.util.List;

/**
 * One attempt of a job on a lender, as that lender's side ({@link LenderRun}, {@link Launcher})
 * reports to the job's state: see {@link AttemptListener}. Bound to the attempt by its lender,
 * number and exchange id; once it is no longer the job's current one, every report is ignored
 * (or only frees the slot it still holds). Each report takes the {@link JobStateMachine}'s lock.
 */
final class Attempt implements AttemptListener {
    private final JobStateMachine jobs;
    private final AuditLog audit;
    private final Deadlines deadlines;
    private final Duration grace;
    private final ActiveJob job;
    private final LenderHandle lender;
    private final int attempt;
    private final int exchangeId;

    /**
     * @param deadlines where the stop of a job over the server's limit waits for its lender
     * @param grace how long it waits
     */
    Attempt(JobStateMachine jobs, AuditLog audit, Deadlines deadlines, Duration grace,
            ActiveJob job, LenderHandle lender, int attempt, int exchangeId) {
        this.jobs = jobs;
        this.audit = audit;
        this.deadlines = deadlines;
        this.grace = grace;
        this.job = job;
        this.lender = lender;
        this.attempt = attempt;
        this.exchangeId = exchangeId;
    }

    /** This attempt still holds its lender's slot (it may have ended without the lender). */
    private boolean holdsSlotLocked() {
        return job.lender == lender && job.attempts == attempt
                && job.exchangeId == exchangeId;
    }

    @Override
    public boolean isCurrent() {
        return jobs.lockedGet(() -> JobStateMachine.isCurrentLocked(job, lender, attempt,
                exchangeId));
    }

    @Override
    public void started() {
        jobs.locked(() -> {
            if (holdsSlotLocked()) {
                lender.refusalsInARow = 0;
            }
        });
    }

    @Override
    public void refused(String lenderReason) {
        boolean benched = jobs.lockedGet(() -> {
            if (!holdsSlotLocked()) {
                return false;
            }
            jobs.unassignLocked(job);
            boolean bench = ++lender.refusalsInARow >= LenderHandle.REFUSALS_TO_BENCH
                    && !lender.benched;
            if (bench) {
                jobs.benchLocked(lender);
            }
            if (!job.state.isTerminal()) {
                job.attempts--; // see AttemptListener.refused
                if (job.cancelRequested) {
                    jobs.endLocked(job, Ending.cancelled(Reasons.CANCELLED), null, null);
                } else {
                    jobs.requeueLocked(job, Reasons.refusedByLender(lenderReason));
                }
            }
            jobs.dispatchLocked();
            return bench;
        });
        if (benched) {
            audit.record(lender.user, AuditAction.LENDER_BENCHED, 0, null, Code.SCF,
                    Reasons.benched(LenderHandle.REFUSALS_TO_BENCH, lenderReason,
                            LenderHandle.BENCH.toMinutes()), lender.peer.remoteAddress());
        }
    }

    @Override
    public void lenderGone() {
        jobs.locked(() -> {
            lender.gone = true;
            jobs.schedulerLocked().removeLender(lender);
            if (holdsSlotLocked()) {
                jobs.lenderLostLocked(job, Reasons.LENDER_DISCONNECTED);
            }
            jobs.dispatchLocked();
        });
    }

    @Override
    public void fail(String reason) {
        jobs.locked(() -> {
            if (!holdsSlotLocked()) {
                return;
            }
            jobs.unassignLocked(job);
            if (!job.state.isTerminal()) {
                jobs.endLocked(job, job.cancelRequested ? Ending.cancelled(Reasons.CANCELLED)
                        : Ending.failed(reason), null, null);
            }
            jobs.dispatchLocked();
        });
    }

    @Override
    public void overLimit(Limit limit, String detail) {
        boolean stop = jobs.lockedGet(() -> {
            if (!holdsSlotLocked() || job.serverLimit != null) {
                return false;
            }
            job.serverLimit = limit;
            job.serverLimitDetail = detail;
            return true;
        });
        if (stop) {
            lender.peer.send(lender.peer.nextServerId(), new Message.Cancel(job.id));
            deadlines.after(grace, this::overLimitOverdue);
        }
    }

    /**
     * The lender did not end a job over the server's limit within the grace: the job ends
     * without it (the lender keeps the slot until its FIN or disconnection, since it may
     * still run the process).
     */
    private void overLimitOverdue() {
        jobs.locked(() -> {
            if (JobStateMachine.isCurrentLocked(job, lender, attempt, exchangeId)) {
                jobs.endLocked(job, Ending.overLimit(job.serverLimit, job.serverLimitDetail
                        + "; its lender did not stop it within " + grace.toSeconds()
                        + " s"), null, null);
            }
        });
    }

    @Override
    public void finished(AttemptResult r) {
        Runnable ack = () -> lender.peer.send(exchangeId,
                new Message.Success(new Result.Empty()));
        boolean ended = jobs.lockedGet(() -> {
            if (!JobStateMachine.isCurrentLocked(job, lender, attempt, exchangeId)) {
                if (holdsSlotLocked() && job.state.isTerminal()) {
                    // the late FIN of an attempt that ended without its lender
                    jobs.unassignLocked(job);
                    jobs.dispatchLocked();
                }
                return false;
            }
            jobs.unassignLocked(job);
            lender.jobsDone++;
            job.outputBytes = r.outputBytes();
            job.outputSha256 = r.outputSha256();
            job.files.clear();
            job.files.addAll(r.files());
            job.cpuMillis = r.use().cpuMillis();
            job.lenderUser = lender.user;
            job.lenderHost = Votes.hostOf(lender);
            job.stdoutSha256 = r.stdoutSha256();
            job.stderrSha256 = r.stderrSha256();
            Ending e = job.serverLimit != null
                    ? Ending.overLimit(job.serverLimit, job.serverLimitDetail)
                    : Ending.of(r.outcome());
            String detail = e.state() + (e.exitCode() != null ? " exit " + e.exitCode() : "")
                    + ", " + Sizes.of(job.outputBytes) + " output, " + r.use().wallMillis()
                    + " ms";
            // a replica's share is its vote's; a job run alone is accepted unchecked
            ProgressWrite.Effects share = job.verifyOf != 0 || !Ballot.isResult(e.state()) ? null
                    : jobs.shares(List.of(new LenderTrust.Share(lender.user,
                            LenderTrust.Verdict.UNCHECKED, job.cpuMillis)));
            jobs.endLocked(job, e, new ProgressWrite.Audited(AuditAction.FIN, lender.user,
                    exchangeId, detail, lender.peer.remoteAddress()), ack, share);
            jobs.dispatchLocked();
            return true;
        });
        if (!ended) {
            ack.run();
        }
    }
}
