package idle.server.dispatch;

import idle.db.Transaction;
import idle.db.entity.Job;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.relay.JobFeed;
import idle.server.relay.OutputSpool;
import idle.server.store.StoreWriter;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.protocol.Code;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A write of a stored job's mutable fields, taken as a snapshot when the change was made (under
 * the state machine's lock), with the audit row of the request or event it completes. After the
 * commit it publishes the snapshot's summary to the job's feed (JST to followers), seals the
 * output spool when the job ended, then runs {@code after}. {@link #apply} only touches the
 * database, so it may run twice.
 */
final class ProgressWrite implements StoreWriter.Op {
    private static final Logger LOG = Logger.getLogger(ProgressWrite.class.getName());

    /** The request or event a write completes, audited in the same transaction. */
    record Audited(AuditAction action, String user, long requestId, String detail,
            String remote) {
    }

    private final AuditLog audit;
    private final ActiveJob job;
    private final ActiveJob.JobRow row;
    private final JobSummary summary;
    private final Audited audited;
    private final Runnable after;
    private final Consumer<RuntimeException> onFailure;
    private Effects effects;

    /**
     * More that a change writes in its transaction and does once it committed (the lender
     * shares of a job's end: {@link LenderTrust#record}, so they count exactly once).
     */
    interface Effects {
        /** In the change's transaction; may run twice (batch then alone). */
        void apply(Transaction tx);

        /** Once the change committed, before the job's state is published. */
        void committed();
    }

    /** Adds {@code e} to this write (before it is submitted); returns this. */
    ProgressWrite with(Effects e) {
        this.effects = e;
        return this;
    }

    /** Call under the state machine's lock. {@code audited} and {@code after} may be null. */
    ProgressWrite(AuditLog audit, ActiveJob job, Audited audited, Runnable after) {
        this(audit, job, audited, after, null);
    }

    /** As above; {@code onFailure} (may be null) runs when the change could not be written. */
    ProgressWrite(AuditLog audit, ActiveJob job, Audited audited, Runnable after,
            Consumer<RuntimeException> onFailure) {
        this.audit = audit;
        this.job = job;
        this.row = job.row();
        this.summary = job.summary();
        this.audited = audited;
        this.after = after;
        this.onFailure = onFailure;
    }

    @Override
    public void apply(Transaction tx) {
        // the row exists (its insert committed before the job got its id): write without
        // reading it first
        Job j = new Job();
        j.setId(row.id());
        j.setState(row.state());
        j.setAttempts(row.attempts());
        j.setLenderPseudonym(row.lenderPseudonym().isEmpty() ? null : row.lenderPseudonym());
        j.setStartedAt(row.startedAt());
        j.setFinishedAt(row.finishedAt());
        j.setExitCode(row.exitCode());
        j.setLimitHit(row.limit());
        j.setFailureReason(row.reason().isEmpty() ? null : row.reason());
        j.setOutputBytes(row.outputBytes());
        j.setOutputSha256(row.outputSha256().isEmpty() ? null : row.outputSha256());
        j.setCpuMillis(row.cpuMillis());
        j.setOutputFiles(row.files());
        j.setVote(row.vote());
        tx.jobs().writeProgress(j);
        if (audited != null) {
            audit.recordIn(tx, audited.user(), audited.action(), audited.requestId(), row.id(),
                    Code.SCF, audited.detail(), audited.remote());
        }
        if (effects != null) {
            effects.apply(tx);
        }
    }

    @Override
    public void committed() {
        if (effects != null) {
            effects.committed();
        }
        JobFeed feed = job.feed;
        if (feed != null) {
            if (summary.state() == JobState.RUNNING
                    && summary.attempts() != feed.summary().attempts()) {
                try {
                    feed.newAttempt(null);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "could not discard the old spool of " + job, e);
                }
            }
            feed.publish(summary);
            if (summary.state().isTerminal()) {
                seal(feed);
            }
        }
        if (job.sweep != null) {
            job.sweep.taskChanged(summary);
        }
        if (after != null) {
            after.run();
        }
    }

    @Override
    public void failed(RuntimeException e) {
        LOG.log(Level.SEVERE, "could not write " + summary.state() + " of " + job, e);
        if (onFailure != null) {
            onFailure.accept(e);
        }
    }

    /** The output is complete: sealed, and closed unless followers still read it. */
    private static void seal(JobFeed feed) {
        OutputSpool s = feed.spool();
        if (s == null) {
            return;
        }
        try {
            s.seal();
            if (!feed.hasFollowers()) {
                s.close();
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing spool", e);
        }
    }
}
