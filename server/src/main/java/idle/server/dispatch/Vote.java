package idle.server.dispatch;

import idle.shared.model.ComparePart;
import idle.shared.model.JobState;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The vote of one verified job, in memory: its replicas still queued or running, the results in
 * the order they came, and how it was decided. Mutable only under the {@link JobStateMachine}'s
 * lock; {@link Votes} runs it.
 */
final class Vote {
    /** The verified job (the one its runner sees; it never runs itself). */
    final ActiveJob job;
    /** Replicas asked for (N). */
    final int asked;
    /** Most replicas made in all before the job ends without a majority. */
    final int max;
    final Set<ComparePart> compare;
    /** A spot check of a job its runner did not ask to verify. */
    final boolean spot;
    /** Replicas not ended (queued, running, or still being stored). */
    final List<ActiveJob> open = new ArrayList<>();
    /** The results, in the order they came. */
    final List<Ballot> ballots = new ArrayList<>();
    /** The remote host of each result's lender, where known (not kept across a restart). */
    final Map<Long, String> hosts = new HashMap<>();
    /** Replica rows made, ended ones included. */
    int spawned;
    VoteState state = VoteState.PENDING;
    int agreeing;
    /** The replica whose output the job serves, 0 until decided. */
    long winner;
    /** Decided, cancelled or given up: later results are ignored. */
    boolean closed;

    Vote(ActiveJob job, int asked, int max, Set<ComparePart> compare, boolean spot) {
        this.job = job;
        this.asked = asked;
        this.max = max;
        this.compare = Set.copyOf(compare);
        this.spot = spot;
    }

    /** The vote as its runner sees it. */
    Verification verification() {
        int results = Math.min(ballots.size(), Verification.MAX_REPLICAS);
        return new Verification(asked, state, Math.min(agreeing, results), results, compare);
    }

    /**
     * Whether a lender of {@code user} may not run {@code replica}: another replica of this vote
     * has a result from that account, or runs on one of its lenders.
     */
    boolean accountTaken(String user, ActiveJob replica) {
        for (Ballot b : ballots) {
            if (b.lenderUser().equals(user)) {
                return true;
            }
        }
        for (ActiveJob r : open) {
            if (r != replica && r.lender != null && r.lender.user.equals(user)) {
                return true;
            }
        }
        return false;
    }

    /** Whether another replica of this vote ran or runs from remote host {@code host}. */
    boolean hostTaken(String host, ActiveJob replica) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (hosts.containsValue(host)) {
            return true;
        }
        for (ActiveJob r : open) {
            if (r != replica && r.lender != null && host.equals(Votes.hostOf(r.lender))) {
                return true;
            }
        }
        return false;
    }

    /** A new replica of the job, not stored yet. */
    ActiveJob newReplica(long now) {
        ActiveJob r = new ActiveJob(job.owner, job.scriptName, job.scriptSha256, job.args,
                job.inputNames, job.needs, now);
        r.verifyOf = job.id;
        r.vote = this;
        r.compare = compare;
        r.state = JobState.QUEUED;
        return r;
    }
}
