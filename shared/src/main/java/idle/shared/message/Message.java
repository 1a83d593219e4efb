package idle.shared.message;

import idle.shared.model.ComparePart;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.LenderCredit;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.model.SweepTask;
import idle.shared.model.TaskPosition;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every message of the protocol: one record per frame code. {@link Codec} turns them into frame
 * payloads and back; the request id travels beside the message in the frame, not inside it.
 * Byte arrays in records are owned by the record: do not mutate them after construction.
 */
public sealed interface Message {
    /** The frame code this message travels under. */
    Code code();

    // ---- seed requests -------------------------------------------------------------------

    /** GID. From the server with an empty name: "who are you?"; from the client: the name. */
    record UserId(String name) implements Message {
        public UserId {
            Objects.requireNonNull(name, "name");
        }

        public Code code() {
            return Code.GID;
        }
    }

    /** GPW. From the server with an empty password: "prove it"; from the client: the password. */
    record Password(String password) implements Message {
        public Password {
            Objects.requireNonNull(password, "password");
        }

        public Code code() {
            return Code.GPW;
        }

        @Override
        public String toString() {
            return "Password[***]";
        }
    }

    /** GIP. Which lender (pseudonym) runs or ran one of the requester's jobs. */
    record LenderOf(long jobId) implements Message {
        public Code code() {
            return Code.GIP;
        }
    }

    /** GPT. Asks for the pool status. */
    record PoolQuery() implements Message {
        public Code code() {
            return Code.GPT;
        }
    }

    /**
     * EXF. Server to lender: run this job, in the lender's environment number
     * {@code environment} (an index into the environments of its {@code MML}). Never names the
     * runner.
     */
    record Execute(long jobId, int attempt, String scriptName, byte[] script, String scriptSha256,
            List<String> args, List<InputFile> inputs, JobNeeds needs, int environment,
            TaskPosition task)
            implements Message {
        public Execute {
            Objects.requireNonNull(scriptName);
            Objects.requireNonNull(script);
            Objects.requireNonNull(scriptSha256);
            args = List.copyOf(args);
            inputs = List.copyOf(inputs);
            Objects.requireNonNull(needs);
            if (environment < 0 || environment >= LenderCapabilities.MAX_ENVIRONMENTS) {
                throw new IllegalArgumentException("environment " + environment + " outside 0.."
                        + (LenderCapabilities.MAX_ENVIRONMENTS - 1));
            }
        }

        /** A job of its own (no task of a sweep) for the lender's first environment. */
        public Execute(long jobId, int attempt, String scriptName, byte[] script,
                String scriptSha256, List<String> args, List<InputFile> inputs, JobNeeds needs) {
            this(jobId, attempt, scriptName, script, scriptSha256, args, inputs, needs, 0, null);
        }

        /** A job of its own (no task of a sweep) for the lender's environment {@code env}. */
        public Execute(long jobId, int attempt, String scriptName, byte[] script,
                String scriptSha256, List<String> args, List<InputFile> inputs, JobNeeds needs,
                int env) {
            this(jobId, attempt, scriptName, script, scriptSha256, args, inputs, needs, env, null);
        }

        /** A task of a sweep ({@code task}) for the lender's first environment. */
        public Execute(long jobId, int attempt, String scriptName, byte[] script,
                String scriptSha256, List<String> args, List<InputFile> inputs, JobNeeds needs,
                TaskPosition task) {
            this(jobId, attempt, scriptName, script, scriptSha256, args, inputs, needs, 0, task);
        }

        public Code code() {
            return Code.EXF;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Execute e && e.jobId == jobId && e.attempt == attempt
                    && e.scriptName.equals(scriptName) && Arrays.equals(e.script, script)
                    && e.scriptSha256.equals(scriptSha256) && e.args.equals(args)
                    && e.inputs.equals(inputs) && e.needs.equals(needs)
                    && e.environment == environment && Objects.equals(e.task, task);
        }

        @Override
        public int hashCode() {
            return Objects.hash(jobId, attempt, scriptName, Arrays.hashCode(script), args, inputs,
                    environment, task);
        }
    }

    /** GOF. Runner to server: send me this output file of my job. */
    record GetOutputFile(long jobId, String name) implements Message {
        public GetOutputFile {
            Objects.requireNonNull(name);
        }

        public Code code() {
            return Code.GOF;
        }
    }

    /** TOF. Announces a file transfer: DAT chunks follow, then EOF. */
    record TakeOutputFile(long jobId, String name, long size, String sha256) implements Message {
        public TakeOutputFile {
            Objects.requireNonNull(name);
            Objects.requireNonNull(sha256);
        }

        public Code code() {
            return Code.TOF;
        }
    }

    /** SDN. The server is shutting down; the client answers SSD. */
    record Shutdown(String reason) implements Message {
        public Shutdown {
            Objects.requireNonNull(reason);
        }

        public Code code() {
            return Code.SDN;
        }
    }

    // ---- seed responses ------------------------------------------------------------------

    /** SCF. The request succeeded; {@code result} is what it produced. */
    record Success(Result result) implements Message {
        public Success {
            Objects.requireNonNull(result);
        }

        public Code code() {
            return Code.SCF;
        }
    }

    /** FLD. The request failed. */
    record Failure(FailureKind kind, String reason) implements Message {
        public Failure {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(reason);
        }

        public Code code() {
            return Code.FLD;
        }
    }

    /** OK. Acknowledges a chunk, event or heartbeat; {@code seq} echoes the acknowledged one. */
    record Ack(long seq) implements Message {
        public Code code() {
            return Code.OK;
        }
    }

    /** EOF. Ends a file transfer: the receiver checks size and SHA-256 and answers SCF or FLD. */
    record EndOfFile(long jobId, String name, long size, String sha256) implements Message {
        public EndOfFile {
            Objects.requireNonNull(name);
            Objects.requireNonNull(sha256);
        }

        public Code code() {
            return Code.EOF;
        }
    }

    /** SSD. The client acknowledges the server's shutdown notice. */
    record ShutdownAck() implements Message {
        public Code code() {
            return Code.SSD;
        }
    }

    /** BYE. Logged out; the server closes the connection after sending it. */
    record Bye() implements Message {
        public Code code() {
            return Code.BYE;
        }
    }

    /** ILR. The request was illegal here; the reason says why. */
    record Illegal(String reason) implements Message {
        public Illegal {
            Objects.requireNonNull(reason);
        }

        public Code code() {
            return Code.ILR;
        }
    }

    /** NLA. No lender could run the submitted job; nothing was queued. */
    record NoLenders(String reason) implements Message {
        public NoLenders {
            Objects.requireNonNull(reason);
        }

        public Code code() {
            return Code.NLA;
        }
    }

    // ---- seed functions ------------------------------------------------------------------

    /** LCS. Starts a login; with a resume token, re-attaches to a live session instead. */
    record Login(String client, String resumeToken) implements Message {
        public Login {
            Objects.requireNonNull(client);
        }

        public Code code() {
            return Code.LCS;
        }
    }

    /** DCN. Logout. */
    record Logout() implements Message {
        public Code code() {
            return Code.DCN;
        }
    }

    /** MML. Make this connection a lender offering {@code capabilities}. */
    record MakeLender(LenderCapabilities capabilities) implements Message {
        public MakeLender {
            Objects.requireNonNull(capabilities);
        }

        public Code code() {
            return Code.MML;
        }
    }

    /** WBL. Stop lending; running jobs are finished, or given back when {@code returnJobs}. */
    record Withdraw(boolean returnJobs) implements Message {
        public Code code() {
            return Code.WBL;
        }
    }

    /**
     * RCS. Submit one python3 script as a job. {@code verify} asks for a verified job run as
     * that many replicas on lenders of different accounts (1: not verified; 0: the server's
     * default for this user); {@code compare} the parts the replicas' results must agree on
     * (every part when all or none are named).
     */
    record RunScript(String scriptName, byte[] script, String scriptSha256, List<String> args,
            List<InputFile> inputs, JobNeeds needs, WaitPolicy waitPolicy, int verify,
            Set<ComparePart> compare) implements Message {
        public RunScript {
            Objects.requireNonNull(scriptName);
            Objects.requireNonNull(script);
            Objects.requireNonNull(scriptSha256);
            args = List.copyOf(args);
            inputs = List.copyOf(inputs);
            Objects.requireNonNull(needs);
            Objects.requireNonNull(waitPolicy);
            compare = compare.isEmpty() ? ComparePart.ALL : Set.copyOf(compare);
        }

        /** A job with the server's default verification, every part compared. */
        public RunScript(String scriptName, byte[] script, String scriptSha256, List<String> args,
                List<InputFile> inputs, JobNeeds needs, WaitPolicy waitPolicy) {
            this(scriptName, script, scriptSha256, args, inputs, needs, waitPolicy, 0,
                    ComparePart.ALL);
        }

        public Code code() {
            return Code.RCS;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RunScript r && r.scriptName.equals(scriptName)
                    && Arrays.equals(r.script, script) && r.scriptSha256.equals(scriptSha256)
                    && r.args.equals(args) && r.inputs.equals(inputs) && r.needs.equals(needs)
                    && r.waitPolicy == waitPolicy && r.verify == verify
                    && r.compare.equals(compare);
        }

        @Override
        public int hashCode() {
            return Objects.hash(scriptName, Arrays.hashCode(script), args, inputs, waitPolicy,
                    verify);
        }
    }

    // ---- added by IDLE -------------------------------------------------------------------

    /** OUT. A piece of a job's output; {@code seq} counts chunks of the job from 0. */
    record Output(long jobId, long seq, StreamKind stream, byte[] data) implements Message {
        public Output {
            Objects.requireNonNull(stream);
            Objects.requireNonNull(data);
        }

        public Code code() {
            return Code.OUT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Output x && x.jobId == jobId && x.seq == seq
                    && x.stream == stream && Arrays.equals(x.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(jobId, seq, stream, Arrays.hashCode(data));
        }
    }

    /** JST. The job's state changed; pushed to its owner. */
    record JobEvent(JobSummary job) implements Message {
        public JobEvent {
            Objects.requireNonNull(job);
        }

        public Code code() {
            return Code.JST;
        }
    }

    /** FIN. Lender to server: the job's process ended this way; its files were sent before. */
    record Finished(long jobId, int attempt, JobOutcome outcome, ResourceUse use)
            implements Message {
        public Finished {
            Objects.requireNonNull(outcome);
            Objects.requireNonNull(use);
        }

        public Code code() {
            return Code.FIN;
        }
    }

    /** DAT. A chunk of the file announced by the TOF with the same request id. */
    record FileData(long jobId, long seq, byte[] data) implements Message {
        public FileData {
            Objects.requireNonNull(data);
        }

        public Code code() {
            return Code.DAT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FileData x && x.jobId == jobId && x.seq == seq
                    && Arrays.equals(x.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(jobId, seq, Arrays.hashCode(data));
        }
    }

    /** ATT. Replay the job's output from chunk {@code fromSeq}; keep following if asked. */
    record Attach(long jobId, long fromSeq, boolean follow) implements Message {
        public Code code() {
            return Code.ATT;
        }
    }

    /** CAN. Cancel the job (runner) or kill its process (server to lender). */
    record Cancel(long jobId) implements Message {
        public Code code() {
            return Code.CAN;
        }
    }

    /**
     * HST. A page of the requester's jobs, newest first, with ids below {@code beforeJobId}
     * (0 for the newest page). {@code state} and {@code nameContains} may be null.
     */
    record History(JobState state, String nameContains, long beforeJobId, int limit)
            implements Message {
        public Code code() {
            return Code.HST;
        }
    }

    /** JOB. Details of one of the requester's jobs. */
    record JobQuery(long jobId) implements Message {
        public Code code() {
            return Code.JOB;
        }
    }

    /** HBT. Heartbeat; the peer answers OK with {@code token} as its seq. */
    record Heartbeat(long token) implements Message {
        public Code code() {
            return Code.HBT;
        }
    }

    /** BSY. A lender's availability changed. */
    record Availability(boolean available, String reason) implements Message {
        public Availability {
            Objects.requireNonNull(reason);
        }

        public Code code() {
            return Code.BSY;
        }
    }

    /** ADM. Run an admin command (same words as {@code idle admin}); answered SCF with text. */
    record Admin(List<String> argv) implements Message {
        public Admin {
            argv = List.copyOf(argv);
        }

        public Code code() {
            return Code.ADM;
        }
    }

    // ---- sweeps ------------------------------------------------------------------------------

    /**
     * SWP. Opens a sweep: one script (stored once), input files every task gets, and the number
     * of tasks that will follow in {@link SweepTasks}. Answered {@code SCF{Sweep}}; the exchange
     * then follows the sweep like an {@link Attach} with follow.
     */
    record SweepOpen(String scriptName, byte[] script, String scriptSha256,
            List<InputFile> inputs, JobNeeds needs, WaitPolicy waitPolicy, int taskCount)
            implements Message {
        public SweepOpen {
            Objects.requireNonNull(scriptName);
            Objects.requireNonNull(script);
            Objects.requireNonNull(scriptSha256);
            inputs = List.copyOf(inputs);
            Objects.requireNonNull(needs);
            Objects.requireNonNull(waitPolicy);
            if (taskCount < 1) {
                throw new IllegalArgumentException("a sweep needs at least one task, not "
                        + taskCount);
            }
        }

        public Code code() {
            return Code.SWP;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SweepOpen r && r.scriptName.equals(scriptName)
                    && Arrays.equals(r.script, script) && r.scriptSha256.equals(scriptSha256)
                    && r.inputs.equals(inputs) && r.needs.equals(needs)
                    && r.waitPolicy == waitPolicy && r.taskCount == taskCount;
        }

        @Override
        public int hashCode() {
            return Objects.hash(scriptName, Arrays.hashCode(script), inputs, taskCount);
        }
    }

    /**
     * SWT. A batch of an open sweep's tasks; {@code last} closes the sweep (no more tasks).
     * Answered {@code SCF{Empty}} once the batch is stored.
     */
    record SweepTasks(long sweepId, List<SweepTask> tasks, boolean last) implements Message {
        public SweepTasks {
            tasks = List.copyOf(tasks);
        }

        public Code code() {
            return Code.SWT;
        }
    }

    /**
     * SWA. A sweep's summary ({@code SCF{Sweep}}), then a {@code JST} per task; with follow,
     * every later change of a task too, until the last task ended.
     */
    record SweepAttach(long sweepId, boolean follow) implements Message {
        public Code code() {
            return Code.SWA;
        }
    }

    /**
     * SWL. With {@code sweepId} 0: a page of the requester's sweeps, newest first, with ids below
     * {@code beforeId} ({@code SCF{SweepPage}}); else a page of that sweep's tasks with job ids
     * below {@code beforeId} ({@code SCF{JobPage}}). {@code beforeId} 0 is the newest page.
     */
    record SweepList(long sweepId, long beforeId, int limit) implements Message {
        public Code code() {
            return Code.SWL;
        }
    }

    /** SWC. Cancels every task of the sweep that has not ended; {@code SCF{Text}} says how many. */
    record SweepCancel(long sweepId) implements Message {
        public Code code() {
            return Code.SWC;
        }
    }

    /**
     * SWR. Opens a new sweep with the tasks of {@code sweepId} that did not succeed (same script,
     * arguments, inputs and indexes); answered and followed like {@link SweepOpen}.
     */
    record SweepRetry(long sweepId) implements Message {
        public Code code() {
            return Code.SWR;
        }
    }

    /**
     * CRD. Server to lender, under a fresh server id, after its MML was accepted and whenever
     * its account's record changes: the account's own record and standing. Nothing answers it.
     */
    record Credit(LenderCredit credit) implements Message {
        public Credit {
            java.util.Objects.requireNonNull(credit, "credit");
        }

        public Code code() {
            return Code.CRD;
        }
    }
}
