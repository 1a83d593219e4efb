package idle.server.dispatch;

import idle.db.Transaction;
import idle.db.entity.Job;
import idle.server.store.StoreWriter;
import idle.shared.model.VoteState;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The rows of new replicas of a verified job ({@link Votes}) and the job's vote, in one
 * transaction; then they are queued (front of their owner's queue) and dispatched. Runs on the
 * store writer's thread; takes the state machine's lock itself.
 */
final class ReplicaInsert implements StoreWriter.Op {
    private static final Logger LOG = Logger.getLogger(ReplicaInsert.class.getName());
    private final JobStateMachine jobs;
    private final Vote vote;
    private final List<ActiveJob> replicas;
    private final ProgressWrite jobWrite;
    private final List<Long> ids = new ArrayList<>();

    ReplicaInsert(JobStateMachine jobs, Vote vote, List<ActiveJob> replicas,
            ProgressWrite jobWrite) {
        this.jobs = jobs;
        this.vote = vote;
        this.replicas = List.copyOf(replicas);
        this.jobWrite = jobWrite;
    }

    @Override
    public void apply(Transaction tx) {
        ids.clear();
        for (ActiveJob r : replicas) {
            Job j = new Job(r.owner, r.scriptName, r.scriptSha256, new byte[0], r.args,
                    r.inputNames, r.needs, r.submittedAt);
            j.setVerifyOf(vote.job.id);
            j.setFailureReason(Reasons.WAITING);
            ids.add(tx.jobs().insert(j));
        }
        jobWrite.apply(tx);
    }

    @Override
    public void committed() {
        jobWrite.committed();
        jobs.locked(() -> {
            for (int i = 0; i < replicas.size(); i++) {
                ActiveJob r = replicas.get(i);
                r.id = ids.get(i);
                r.reason = Reasons.WAITING;
                r.feed = new idle.server.relay.JobFeed(r.id, r.summary(), null);
                jobs.activateLocked(r);
                if (vote.closed) {
                    jobs.endLocked(r, Ending.cancelled(Reasons.CANCELLED_BEFORE_RUN), null,
                            null);
                } else {
                    jobs.schedulerLocked().enqueue(r, true);
                }
            }
            jobs.dispatchLocked();
        });
    }

    @Override
    public void failed(RuntimeException e) {
        LOG.log(Level.SEVERE, "could not store the replicas of " + vote.job, e);
        jobs.locked(() -> {
            vote.open.removeAll(replicas);
            if (!vote.closed && !vote.job.state.isTerminal()) {
                vote.closed = true;
                vote.state = VoteState.UNVERIFIED;
                jobs.endLocked(vote.job, Ending.failed("its replicas could not be stored: "
                        + e.getMessage()), null, null);
            }
        });
    }
}
