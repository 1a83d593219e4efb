package idle.server.dispatch;

import idle.db.Database;
import idle.db.entity.Job;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.relay.JobFeed;
import idle.shared.model.ComparePart;
import idle.shared.model.JobState;
import idle.shared.model.VoteState;
import idle.shared.protocol.Code;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * At start: the jobs a previous run left queued or running. Running ones go back to the queue
 * (their next run is attempt + 1) or become LOST when no attempts are left. One transaction that
 * reads only the active jobs (an index on the state), so a long history does not slow it. No
 * script is read: they stay in the database until each job's dispatch ({@link Scripts}).
 */
final class Recovery {
    private final Database db;
    private final AuditLog audit;
    private final int maxAttempts;

    /**
     * The jobs to queue again, oldest first, and how many were given up; for each verified job
     * whose vote was open, every row of its replicas (ended ones too), oldest first.
     */
    record Loaded(List<ActiveJob> queued, int lost, Map<Long, List<Job>> replicaRows) {
    }

    Recovery(Database db, AuditLog audit, int maxAttempts) {
        this.db = db;
        this.audit = audit;
        this.maxAttempts = maxAttempts;
    }

    Loaded load() {
        long now = System.currentTimeMillis();
        List<Job> rows = db.inTransaction(tx -> {
            // both read the open jobs' part of JOB_OPEN_VERIFY_IX, never the ended history
            List<Job> found = new ArrayList<>(tx.jobs().inStates(EnumSet.of(JobState.QUEUED)));
            found.addAll(tx.jobs().inStates(EnumSet.of(JobState.RUNNING)));
            found.sort(Comparator.comparingLong(Job::getId));
            int requeued = 0;
            int lost = 0;
            for (Job j : found) {
                if (j.getState() != JobState.RUNNING) {
                    continue;
                }
                boolean vote = j.getVerifyOf() == 0
                        && VoteRecord.stateOf(VoteRecord.read(j.getVote())) != VoteState.NONE;
                if (j.getAttempts() >= maxAttempts && !vote) { // a vote's job never runs itself
                    j.setState(JobState.LOST);
                    j.setFinishedAt(now);
                    j.setFailureReason(Reasons.lostInRestart(j.getAttempts(), maxAttempts));
                    lost++;
                } else {
                    j.setState(JobState.QUEUED);
                    j.setFailureReason(Reasons.REQUEUED_AFTER_RESTART);
                    requeued++;
                }
            }
            audit.recordIn(tx, null, AuditAction.RECOVER, 0, null, Code.SCF, found.size()
                    + " active jobs; " + requeued + " running re-queued; " + lost + " lost", null);
            return found;
        });
        // the replicas of open votes, ended ones included: their results count on
        Map<Long, List<Job>> replicaRows = new HashMap<>();
        List<Long> votes = new ArrayList<>();
        for (Job j : rows) {
            if (j.getVerifyOf() == 0 && j.getState() == JobState.QUEUED
                    && VoteRecord.stateOf(VoteRecord.read(j.getVote())) != VoteState.NONE) {
                votes.add(j.getId());
            }
        }
        if (!votes.isEmpty()) {
            db.useTransaction(tx -> {
                for (long id : votes) {
                    replicaRows.put(id, tx.jobs().replicasOf(id));
                }
            });
        }
        List<ActiveJob> queued = new ArrayList<>();
        int lost = 0;
        for (Job j : rows) {
            if (j.getState() == JobState.QUEUED) {
                queued.add(activeOf(j));
            } else {
                lost++;
            }
        }
        return new Loaded(queued, lost, replicaRows);
    }

    /** A stored queued job, in memory again (its feed starts with no output). */
    private static ActiveJob activeOf(Job j) {
        ActiveJob a = new ActiveJob(j.getOwnerName(), j.getScriptName(), j.getScriptSha256(),
                j.getArgs(), j.getInputNames(), j.getNeeds(), j.getSubmittedAt());
        a.id = j.getId();
        a.state = JobState.QUEUED;
        a.attempts = j.getAttempts();
        a.reason = j.getFailureReason() == null ? "" : j.getFailureReason();
        a.lenderPseudonym = j.getLenderPseudonym() == null ? "" : j.getLenderPseudonym();
        a.startedAt = j.getStartedAt();
        a.sweepId = j.getSweepId(); // its SweepRun is bound by Sweeps.recover
        a.taskIndex = j.getTaskIndex();
        a.verifyOf = j.getVerifyOf();
        if (a.verifyOf == 0 && j.getVote() != null) {
            Map<String, String> v = VoteRecord.read(j.getVote());
            a.verifyAsked = Math.max(1, VoteRecord.intOf(v, "replicas", 1));
            a.verifyDefaulted = VoteRecord.intOf(v, "defaulted", 0) == 1;
            a.spotCheck = VoteRecord.intOf(v, "spot", 0) == 1;
            a.compare = ComparePart.ofMask(VoteRecord.intOf(v, "compare", 0) & ComparePart.ALL_BITS);
        }
        a.feed = new JobFeed(a.id, a.summary(), null);
        return a;
    }
}
