package idle.server.dispatch;

import idle.server.relay.JobFeed;
import idle.shared.model.ComparePart;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A job the server is working on (queued or running), in memory. Mutable fields change only under
 * the {@link JobStateMachine}'s lock; every change is also handed to the store writer in the same
 * order, and its effects on the network happen after that write committed. Its script is not
 * kept here but in the database (and perhaps the bounded {@link Scripts} cache), so a long queue
 * costs the heap only these few fields per job.
 */
public final class ActiveJob {
    /** 0 until the job's row was written. */
    volatile long id;
    final String owner;
    final String scriptName;
    final String scriptSha256;
    final List<String> args;
    final List<String> inputNames;
    final JobNeeds needs;
    final long submittedAt;

    JobState state;
    int attempts;
    long startedAt;
    long finishedAt;
    Integer exitCode;
    Limit limit;
    String reason = "";
    String lenderPseudonym = "";
    long outputBytes;
    String outputSha256 = "";
    long cpuMillis;
    final List<OutputFileInfo> files = new ArrayList<>();

    /** The lender running the current attempt, and the EXF exchange id there. */
    LenderHandle lender;
    int exchangeId;
    /** The lender's environment the current attempt runs in (its index in the lender's MML). */
    int environment;
    boolean cancelRequested;
    /** Set when the server stopped the job for its output size. */
    Limit serverLimit;
    String serverLimitDetail;

    /** Created when the job is stored. */
    JobFeed feed;

    /**
     * The sweep this job is a task of, null for a job of its own; set before the job is queued
     * and never changed after. A task's script is its sweep's ({@link Scripts#sweepScript}).
     */
    SweepRun sweep;
    /** The sweep's id as stored (kept also when {@link #sweep} could not be found at start). */
    long sweepId;
    /** The task's index in its sweep. */
    int taskIndex;

    /**
     * The replicas asked for this job (resolved at submission from RCS, the user's default or
     * the server's): 1 runs it alone. Never changed after the job is queued.
     */
    int verifyAsked = 1;
    /** Whether {@link #verifyAsked} came from a default (a trusted lender may then run it alone). */
    boolean verifyDefaulted;
    /** The parts its replicas must agree on. */
    Set<ComparePart> compare = ComparePart.ALL;
    /** A dispatch drew a spot check for this job before it ran: it becomes a 2-replica vote. */
    boolean spotCheck;
    /**
     * The vote this job runs as (set on the verified job and on each of its replicas), null
     * for a job that runs alone or has not been made a vote yet.
     */
    Vote vote;
    /** For a replica: the id of the verified job it is a replica of; 0 for any other job. */
    long verifyOf;
    /** A replica's result for the vote: its lender's account and the server's stream hashes. */
    String lenderUser = "";
    String stdoutSha256 = "";
    String stderrSha256 = "";
    /** The remote host of a replica's lender at its result (only in memory). */
    String lenderHost;

    ActiveJob(String owner, String scriptName, String scriptSha256,
            List<String> args, List<String> inputNames, JobNeeds needs, long submittedAt) {
        this.owner = owner;
        this.scriptName = scriptName;
        this.scriptSha256 = scriptSha256;
        this.args = List.copyOf(args);
        this.inputNames = List.copyOf(inputNames);
        this.needs = needs;
        this.submittedAt = submittedAt;
        this.state = JobState.QUEUED;
    }

    public long id() {
        return id;
    }

    public String owner() {
        return owner;
    }

    public JobState state() {
        return state;
    }

    public int attempts() {
        return attempts;
    }

    /** The summary a runner sees (lender by pseudonym only). Call under the lock. */
    JobSummary summary() {
        return new JobSummary(id, scriptName, state, exitCode, limit, reason, lenderPseudonym,
                attempts, submittedAt, startedAt, finishedAt, outputBytes, sweepId, taskIndex,
                verification());
    }

    /** The vote as its runner sees it. Call under the lock. */
    Verification verification() {
        if (vote != null && verifyOf == 0) {
            return vote.verification();
        }
        if (verifyOf == 0 && verifyAsked > 1 && !verifyDefaulted) {
            return new Verification(verifyAsked, VoteState.PENDING, 0, 0, compare);
        }
        return Verification.NONE;
    }

    /** The script and inputs this job runs: its own, or (a replica) its verified job's. */
    long sourceId() {
        return verifyOf != 0 ? verifyOf : id;
    }

    /** An immutable copy of the fields the store writes. Call under the state machine's lock. */
    JobRow row() {
        return new JobRow(id, state, attempts, lenderPseudonym, startedAt, finishedAt, exitCode,
                limit, reason, outputBytes, outputSha256, cpuMillis, List.copyOf(files),
                VoteRecord.of(this));
    }

    /** The mutable part of a job, as the store writes it ({@code vote} null: not verified). */
    public record JobRow(long id, JobState state, int attempts, String lenderPseudonym,
            long startedAt, long finishedAt, Integer exitCode, Limit limit, String reason,
            long outputBytes, String outputSha256, long cpuMillis, List<OutputFileInfo> files,
            List<String> vote) {
    }

    @Override
    public String toString() {
        return "Job[" + id + " " + owner + " " + scriptName + " " + state + "]";
    }
}
