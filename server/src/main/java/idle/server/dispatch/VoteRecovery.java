package idle.server.dispatch;

import idle.db.entity.Job;
import idle.server.VerifyPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * At start: the votes a previous run left open, rebuilt from what was stored (see
 * {@link #recoverLocked}); then {@link Votes} runs them on. Used once, under the state
 * machine's lock.
 */
final class VoteRecovery {
    private final JobStateMachine jobs;
    private final Votes running;
    private final VerifyPolicy policy;

    VoteRecovery(JobStateMachine jobs, Votes running, VerifyPolicy policy) {
        this.jobs = jobs;
        this.running = running;
        this.policy = policy;
    }

    /**
     * At start: binds the verified jobs whose vote was open to their replicas (results of ended
     * ones count; open ones are queued again, front of their owner's queue), and decides a vote
     * whose replicas had all ended before the stop. A replica whose verified job is no longer
     * open ends CANCELLED. No result is counted twice: the shares are only written with the
     * verified job's end.
     *
     * @param queued every job loaded as queued
     * @param rows the replica rows of each open vote, by verified job id
     * @return the jobs that are neither (queue them as before)
     */
    List<ActiveJob> recoverLocked(List<ActiveJob> queued, Map<Long, List<Job>> rows) {
        Map<Long, ActiveJob> votes = new HashMap<>();
        List<ActiveJob> plain = new ArrayList<>();
        for (ActiveJob a : queued) {
            if (a.verifyOf == 0 && rows.containsKey(a.id)) {
                votes.put(a.id, a);
            }
        }
        for (ActiveJob job : votes.values()) {
            int asked = Math.max(2, job.verifyAsked);
            Vote v = new Vote(job, asked, policy.maxFor(asked), job.compare, job.spotCheck);
            job.vote = v;
            List<Job> replicas = new ArrayList<>(rows.get(job.id));
            v.spawned = replicas.size();
            replicas.sort(Comparator.comparingLong(Job::getFinishedAt));
            for (Job r : replicas) {
                if (Ballot.isResult(r.getState())) {
                    v.ballots.add(Ballot.of(r));
                }
            }
            v.agreeing = VoteTally.of(v.ballots, v.compare).agreeing();
            jobs.recoveredUnqueuedLocked(job);
        }
        for (ActiveJob a : queued) {
            if (a.verifyOf == 0) {
                if (!votes.containsKey(a.id)) {
                    plain.add(a);
                }
                continue;
            }
            ActiveJob job = votes.get(a.verifyOf);
            jobs.recoveredUnqueuedLocked(a);
            if (job == null) {
                jobs.endLocked(a, Ending.cancelled("its verified job " + a.verifyOf
                        + " already ended"), null, null);
            } else {
                a.vote = job.vote;
                job.vote.open.add(a);
                jobs.schedulerLocked().enqueue(a, true);
            }
        }
        for (ActiveJob job : votes.values()) {
            if (job.vote.open.isEmpty()) {
                running.evaluateLocked(job.vote);
            }
        }
        return plain;
    }
}
