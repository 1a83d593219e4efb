package idle.shared.message;

import idle.shared.model.ComparePart;
import idle.shared.model.Distribution;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.LenderCredit;
import idle.shared.model.LenderStanding;
import idle.shared.model.JobDetail;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.Limit;
import idle.shared.model.ModuleNeed;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.PoolModule;
import idle.shared.model.PoolStatus;
import idle.shared.model.PythonEnvironment;
import idle.shared.model.ReplicaResult;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.model.SweepSummary;
import idle.shared.model.SweepTask;
import idle.shared.model.TaskPosition;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Frame;
import idle.shared.protocol.ProtocolException;
import idle.shared.packages.VersionSpec;
import idle.shared.protocol.Sha256;
import java.util.Set;

/**
 * The one codec: {@link Message} to frame payload and back. Decoding is strict: a payload that is
 * truncated, too long, badly encoded, or whose SHA-256 does not match its content is rejected
 * with a {@link ProtocolException}; no other exception escapes {@link #decode}. Stateless and
 * thread-safe.
 */
public final class Codec {
    private Codec() {
    }

    /** The frame that carries {@code m} under {@code requestId}. */
    public static Frame encode(int requestId, Message m) {
        return new Frame(m.code(), requestId, payload(m));
    }

    /** Where the data starts in a {@code DAT} payload: after jobId i64, seq i64, length i32. */
    public static final int FILE_DATA_OFFSET = 20;

    /**
     * A {@code DAT} payload for {@code n} data bytes with its fields before the data filled in;
     * the caller writes the data at {@link #FILE_DATA_OFFSET} (e.g. straight from a file), so a
     * chunk is built without an intermediate copy. Equal to {@code payload(new FileData(...))}.
     */
    public static byte[] fileDataPayload(long jobId, long seq, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
        byte[] p = new byte[FILE_DATA_OFFSET + n];
        putLong(p, 0, jobId);
        putLong(p, 8, seq);
        putInt(p, 16, n);
        return p;
    }

    private static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** The payload bytes of {@code m}. */
    public static byte[] payload(Message m) {
        if (m instanceof Message.FileData x) {
            byte[] p = fileDataPayload(x.jobId(), x.seq(), x.data().length);
            System.arraycopy(x.data(), 0, p, FILE_DATA_OFFSET, x.data().length);
            return p;
        }
        PayloadWriter w = new PayloadWriter(m instanceof Message.Output o
                ? o.data().length + 32 : 64);
        switch (m) {
            case Message.UserId x -> w.str(x.name());
            case Message.Password x -> w.str(x.password());
            case Message.LenderOf x -> w.i64(x.jobId());
            case Message.PoolQuery x -> { }
            case Message.Execute x -> {
                w.i64(x.jobId()).i32(x.attempt()).str(x.scriptName()).bytes(x.script())
                        .str(x.scriptSha256()).strs(x.args()).list(x.inputs(), Codec::inputFile);
                needs(w, x.needs());
                w.u8(x.environment());
                taskPosition(w, x.task());
            }
            case Message.GetOutputFile x -> w.i64(x.jobId()).str(x.name());
            case Message.TakeOutputFile x -> w.i64(x.jobId()).str(x.name()).i64(x.size())
                    .str(x.sha256());
            case Message.Shutdown x -> w.str(x.reason());
            case Message.Success x -> result(w, x.result());
            case Message.Failure x -> w.enumVal(x.kind()).str(x.reason());
            case Message.Ack x -> w.i64(x.seq());
            case Message.EndOfFile x -> w.i64(x.jobId()).str(x.name()).i64(x.size())
                    .str(x.sha256());
            case Message.ShutdownAck x -> { }
            case Message.Bye x -> { }
            case Message.Illegal x -> w.str(x.reason());
            case Message.NoLenders x -> w.str(x.reason());
            case Message.Login x -> w.str(x.client()).optStr(x.resumeToken());
            case Message.Logout x -> { }
            case Message.MakeLender x -> capabilities(w, x.capabilities());
            case Message.Withdraw x -> w.bool(x.returnJobs());
            case Message.RunScript x -> {
                w.str(x.scriptName()).bytes(x.script()).str(x.scriptSha256()).strs(x.args())
                        .list(x.inputs(), Codec::inputFile);
                needs(w, x.needs());
                w.enumVal(x.waitPolicy()).u8(x.verify()).u8(ComparePart.mask(x.compare()));
            }
            case Message.Output x -> w.i64(x.jobId()).i64(x.seq()).enumVal(x.stream())
                    .bytes(x.data());
            case Message.JobEvent x -> summary(w, x.job());
            case Message.Finished x -> {
                w.i64(x.jobId()).i32(x.attempt());
                outcome(w, x.outcome());
                ResourceUse u = x.use();
                w.i64(u.cpuMillis()).i64(u.wallMillis()).i64(u.stdoutBytes()).i64(u.stderrBytes());
            }
            case Message.FileData x -> w.i64(x.jobId()).i64(x.seq()).bytes(x.data());
            case Message.Attach x -> w.i64(x.jobId()).i64(x.fromSeq()).bool(x.follow());
            case Message.Cancel x -> w.i64(x.jobId());
            case Message.History x -> {
                if (x.state() == null) {
                    w.u8(0);
                } else {
                    w.u8(1).enumVal(x.state());
                }
                w.optStr(x.nameContains()).i64(x.beforeJobId()).i32(x.limit());
            }
            case Message.JobQuery x -> w.i64(x.jobId());
            case Message.Heartbeat x -> w.i64(x.token());
            case Message.Availability x -> w.bool(x.available()).str(x.reason());
            case Message.Admin x -> w.strs(x.argv());
            case Message.SweepOpen x -> {
                w.str(x.scriptName()).bytes(x.script()).str(x.scriptSha256())
                        .list(x.inputs(), Codec::inputFile);
                needs(w, x.needs());
                w.enumVal(x.waitPolicy()).i32(x.taskCount());
            }
            case Message.SweepTasks x -> w.i64(x.sweepId()).list(x.tasks(), Codec::sweepTask)
                    .bool(x.last());
            case Message.SweepAttach x -> w.i64(x.sweepId()).bool(x.follow());
            case Message.SweepList x -> w.i64(x.sweepId()).i64(x.beforeId()).i32(x.limit());
            case Message.SweepCancel x -> w.i64(x.sweepId());
            case Message.SweepRetry x -> w.i64(x.sweepId());
            case Message.Credit x -> {
                LenderCredit c = x.credit();
                w.enumVal(c.standing()).i64(c.agreed()).i64(c.unchecked()).i64(c.disagreed())
                        .i64(c.lost()).i64(c.strikes()).i64(c.cpuMillis()).i64(c.creditMillis());
            }
        }
        return w.toBytes();
    }

    /**
     * The message a frame carries.
     *
     * @throws ProtocolException for any malformed payload; never any other exception
     */
    public static Message decode(Frame f) throws ProtocolException {
        PayloadReader r = new PayloadReader(f.payload());
        Message m;
        try {
            m = switch (f.code()) {
                case GID -> new Message.UserId(r.str());
                case GPW -> new Message.Password(r.str());
                case GIP -> new Message.LenderOf(r.i64());
                case GPT -> new Message.PoolQuery();
                case EXF -> {
                    long jobId = r.i64();
                    int attempt = r.i32();
                    String name = r.str();
                    byte[] script = r.bytes();
                    String sha = r.str();
                    checkSha(script, sha, "script");
                    yield new Message.Execute(jobId, attempt, name, script, sha, r.strs(),
                            r.list(Codec::readInputFile), readNeeds(r), r.u8(),
                            readTaskPosition(r));
                }
                case GOF -> new Message.GetOutputFile(r.i64(), r.str());
                case TOF -> new Message.TakeOutputFile(r.i64(), r.str(), nonNegative(r.i64()),
                        hexDigest(r.str()));
                case SDN -> new Message.Shutdown(r.str());
                case SCF -> new Message.Success(readResult(r));
                case FLD -> new Message.Failure(r.enumVal(FailureKind.values(), "failure kind"),
                        r.str());
                case OK -> new Message.Ack(r.i64());
                case EOF -> new Message.EndOfFile(r.i64(), r.str(), nonNegative(r.i64()),
                        hexDigest(r.str()));
                case SSD -> new Message.ShutdownAck();
                case BYE -> new Message.Bye();
                case ILR -> new Message.Illegal(r.str());
                case NLA -> new Message.NoLenders(r.str());
                case LCS -> new Message.Login(r.str(), r.optStr());
                case DCN -> new Message.Logout();
                case MML -> new Message.MakeLender(readCapabilities(r));
                case WBL -> new Message.Withdraw(r.bool());
                case RCS -> {
                    String name = r.str();
                    byte[] script = r.bytes();
                    String sha = r.str();
                    checkSha(script, sha, "script");
                    yield new Message.RunScript(name, script, sha, r.strs(),
                            r.list(Codec::readInputFile), readNeeds(r),
                            r.enumVal(WaitPolicy.values(), "wait policy"), r.u8(),
                            readCompare(r));
                }
                case OUT -> new Message.Output(r.i64(), nonNegative(r.i64()),
                        r.enumVal(StreamKind.values(), "stream"), r.bytes());
                case JST -> new Message.JobEvent(readSummary(r));
                case FIN -> new Message.Finished(r.i64(), r.i32(), readOutcome(r),
                        new ResourceUse(r.i64(), r.i64(), r.i64(), r.i64()));
                case DAT -> new Message.FileData(r.i64(), nonNegative(r.i64()), r.bytes());
                case ATT -> new Message.Attach(r.i64(), nonNegative(r.i64()), r.bool());
                case CAN -> new Message.Cancel(r.i64());
                case HST -> {
                    JobState state = r.bool() ? r.enumVal(JobState.values(), "job state") : null;
                    String name = r.optStr();
                    long before = nonNegative(r.i64());
                    int limit = r.i32();
                    if (limit < 1 || limit > 10_000) {
                        throw new ProtocolException("history limit " + limit + " outside 1..10000");
                    }
                    yield new Message.History(state, name, before, limit);
                }
                case JOB -> new Message.JobQuery(r.i64());
                case HBT -> new Message.Heartbeat(r.i64());
                case BSY -> new Message.Availability(r.bool(), r.str());
                case ADM -> new Message.Admin(r.strs());
                case SWP -> {
                    String name = r.str();
                    byte[] script = r.bytes();
                    String sha = r.str();
                    checkSha(script, sha, "script");
                    yield new Message.SweepOpen(name, script, sha, r.list(Codec::readInputFile),
                            readNeeds(r), r.enumVal(WaitPolicy.values(), "wait policy"), r.i32());
                }
                case SWT -> new Message.SweepTasks(r.i64(), r.list(Codec::readSweepTask),
                        r.bool());
                case SWA -> new Message.SweepAttach(r.i64(), r.bool());
                case SWL -> {
                    long sweep = nonNegative(r.i64());
                    long before = nonNegative(r.i64());
                    int limit = r.i32();
                    if (limit < 1 || limit > 10_000) {
                        throw new ProtocolException("list limit " + limit + " outside 1..10000");
                    }
                    yield new Message.SweepList(sweep, before, limit);
                }
                case SWC -> new Message.SweepCancel(r.i64());
                case SWR -> new Message.SweepRetry(r.i64());
                case CRD -> new Message.Credit(new LenderCredit(r.enumVal(
                        LenderStanding.values(), "lender standing"), nonNegative(r.i64()),
                        nonNegative(r.i64()), nonNegative(r.i64()), nonNegative(r.i64()),
                        nonNegative(r.i64()), nonNegative(r.i64()), nonNegative(r.i64())));
            };
        } catch (IllegalArgumentException | NullPointerException e) {
            // A record's own validation rejected a decoded value.
            throw new ProtocolException("invalid " + f.code() + " payload: " + e.getMessage());
        }
        r.end();
        return m;
    }

    // ---- pieces --------------------------------------------------------------------------

    private static void checkSha(byte[] data, String sha, String what) throws ProtocolException {
        if (!Sha256.hex(data).equals(sha)) {
            throw new ProtocolException(what + " SHA-256 mismatch");
        }
    }

    private static String hexDigest(String s) throws ProtocolException {
        if (!Sha256.isHex(s)) {
            throw new ProtocolException("not a SHA-256 hex digest");
        }
        return s;
    }

    private static long nonNegative(long v) throws ProtocolException {
        if (v < 0) {
            throw new ProtocolException("negative value " + v);
        }
        return v;
    }

    private static void inputFile(PayloadWriter w, InputFile f) {
        w.str(f.name()).bytes(f.data()).str(f.sha256());
    }

    private static InputFile readInputFile(PayloadReader r) throws ProtocolException {
        String name = r.str();
        byte[] data = r.bytes();
        String sha = r.str();
        checkSha(data, sha, "input file " + name);
        return new InputFile(name, data, sha);
    }

    private static void needs(PayloadWriter w, JobNeeds n) {
        w.str(n.minPython()).i32(n.memoryMb()).i32(n.timeoutSeconds())
                .list(n.modules(), (ww, m) -> ww.str(m.name()).str(m.spec().toString()));
    }

    private static JobNeeds readNeeds(PayloadReader r) throws ProtocolException {
        return new JobNeeds(r.str(), r.i32(), r.i32(), r.list(Codec::readModuleNeed));
    }

    private static ModuleNeed readModuleNeed(PayloadReader r) throws ProtocolException {
        String name = r.str();
        String text = r.str();
        VersionSpec spec = VersionSpec.parse(text);
        if (!spec.toString().equals(text)) {
            // one spelling per spec, so that a payload re-encodes to the same bytes
            throw new ProtocolException("version spec '" + text + "' is not in canonical form '"
                    + spec + "'");
        }
        return new ModuleNeed(name, spec);
    }

    private static void taskPosition(PayloadWriter w, TaskPosition t) {
        if (t == null) {
            w.u8(0);
        } else {
            w.u8(1).i32(t.index()).i32(t.count());
        }
    }

    private static TaskPosition readTaskPosition(PayloadReader r) throws ProtocolException {
        return r.bool() ? new TaskPosition(r.i32(), r.i32()) : null;
    }

    private static void sweepTask(PayloadWriter w, SweepTask t) {
        w.i32(t.index()).strs(t.args()).list(t.inputs(), Codec::inputFile);
    }

    private static SweepTask readSweepTask(PayloadReader r) throws ProtocolException {
        return new SweepTask(r.i32(), r.strs(), r.list(Codec::readInputFile));
    }

    private static void sweepSummary(PayloadWriter w, SweepSummary s) {
        w.i64(s.sweepId()).str(s.scriptName()).i32(s.taskCount()).i32(s.tasks()).i32(s.queued())
                .i32(s.running()).i32(s.succeeded()).i32(s.failed()).i32(s.cancelled())
                .i64(s.submittedAt()).i64(s.finishedAt()).i64(s.retryOf()).bool(s.open());
    }

    private static SweepSummary readSweepSummary(PayloadReader r) throws ProtocolException {
        return new SweepSummary(r.i64(), r.str(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32(),
                r.i32(), r.i32(), r.i64(), r.i64(), r.i64(), r.bool());
    }

    private static void capabilities(PayloadWriter w, LenderCapabilities c) {
        w.str(c.pythonVersion()).i32(c.cores()).i64(c.memoryMb()).i32(c.maxJobs())
                .i32(c.cpuSeconds()).i32(c.memoryLimitMb()).i32(c.timeoutSeconds())
                .i32(c.maxOutputMb()).str(c.sandbox()).bool(c.whenIdle())
                .list(c.environments(), Codec::environment);
    }

    private static LenderCapabilities readCapabilities(PayloadReader r) throws ProtocolException {
        return new LenderCapabilities(r.str(), r.i32(), r.i64(), r.i32(), r.i32(), r.i32(),
                r.i32(), r.i32(), r.str(), r.bool(), r.list(Codec::readEnvironment));
    }

    private static void environment(PayloadWriter w, PythonEnvironment e) {
        w.str(e.pythonVersion()).strs(e.modules()).list(e.distributions(),
                (ww, d) -> ww.str(d.name()).str(d.version()).strs(d.modules()));
    }

    private static PythonEnvironment readEnvironment(PayloadReader r) throws ProtocolException {
        return new PythonEnvironment(r.str(), r.strs(),
                r.list(rr -> new Distribution(rr.str(), rr.str(), rr.strs())));
    }

    private static void poolModule(PayloadWriter w, PoolModule m) {
        w.str(m.name()).i32(m.lenders()).strs(m.versions());
    }

    private static PoolModule readPoolModule(PayloadReader r) throws ProtocolException {
        return new PoolModule(r.str(), r.i32(), r.strs());
    }

    private static void summary(PayloadWriter w, JobSummary s) {
        w.i64(s.jobId()).str(s.scriptName()).enumVal(s.state());
        if (s.exitCode() == null) {
            w.u8(0);
        } else {
            w.u8(1).i32(s.exitCode());
        }
        if (s.limit() == null) {
            w.u8(0);
        } else {
            w.u8(1).enumVal(s.limit());
        }
        w.str(s.reason()).str(s.lender()).i32(s.attempts()).i64(s.submittedAt())
                .i64(s.startedAt()).i64(s.finishedAt()).i64(s.outputBytes()).i64(s.sweepId())
                .i32(s.taskIndex());
        Verification v = s.verification();
        w.u8(v.replicas()).enumVal(v.state()).u8(v.agreeing()).u8(v.results())
                .u8(ComparePart.mask(v.compared()));
    }

    private static Verification readVerification(PayloadReader r) throws ProtocolException {
        int replicas = r.u8();
        VoteState state = r.enumVal(VoteState.values(), "vote state");
        int agreeing = r.u8();
        int results = r.u8();
        Set<ComparePart> compared = readCompare(r);
        try {
            return new Verification(replicas, state, agreeing, results, compared);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(e.getMessage());
        }
    }

    private static Set<ComparePart> readCompare(PayloadReader r) throws ProtocolException {
        try {
            return ComparePart.ofMask(r.u8());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(e.getMessage());
        }
    }

    private static void replica(PayloadWriter w, ReplicaResult x) {
        w.str(x.lender()).enumVal(x.state());
        if (x.exitCode() == null) {
            w.u8(0);
        } else {
            w.u8(1).i32(x.exitCode());
        }
        if (x.limit() == null) {
            w.u8(0);
        } else {
            w.u8(1).enumVal(x.limit());
        }
        w.str(x.stdoutSha256()).str(x.stderrSha256()).list(x.files(), Codec::outputFile)
                .bool(x.majority()).strs(x.differences());
    }

    private static ReplicaResult readReplica(PayloadReader r) throws ProtocolException {
        String lender = r.str();
        JobState state = r.enumVal(JobState.values(), "job state");
        Integer exit = r.bool() ? r.i32() : null;
        Limit limit = r.bool() ? r.enumVal(Limit.values(), "limit") : null;
        try {
            return new ReplicaResult(lender, state, exit, limit, r.str(), r.str(),
                    r.list(Codec::readOutputFile), r.bool(), r.strs());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(e.getMessage());
        }
    }

    private static void outputFile(PayloadWriter w, OutputFileInfo f) {
        w.str(f.name()).i64(f.size()).str(f.sha256());
    }

    private static OutputFileInfo readOutputFile(PayloadReader r) throws ProtocolException {
        return new OutputFileInfo(r.str(), nonNegative(r.i64()), r.str());
    }

    private static JobSummary readSummary(PayloadReader r) throws ProtocolException {
        long id = r.i64();
        String name = r.str();
        JobState state = r.enumVal(JobState.values(), "job state");
        Integer exit = r.bool() ? r.i32() : null;
        Limit limit = r.bool() ? r.enumVal(Limit.values(), "limit") : null;
        return new JobSummary(id, name, state, exit, limit, r.str(), r.str(), r.i32(), r.i64(),
                r.i64(), r.i64(), r.i64(), r.i64(), r.i32(), readVerification(r));
    }

    private static void outcome(PayloadWriter w, JobOutcome o) {
        switch (o) {
            case JobOutcome.Succeeded s -> w.u8(0);
            case JobOutcome.Failed f -> w.u8(1).i32(f.exitCode());
            case JobOutcome.Cancelled c -> w.u8(2);
            case JobOutcome.LimitExceeded l -> w.u8(3).enumVal(l.limit()).str(l.detail());
            case JobOutcome.Error e -> w.u8(4).str(e.reason());
        }
    }

    private static JobOutcome readOutcome(PayloadReader r) throws ProtocolException {
        int tag = r.u8();
        return switch (tag) {
            case 0 -> new JobOutcome.Succeeded();
            case 1 -> new JobOutcome.Failed(r.i32());
            case 2 -> new JobOutcome.Cancelled();
            case 3 -> new JobOutcome.LimitExceeded(r.enumVal(Limit.values(), "limit"), r.str());
            case 4 -> new JobOutcome.Error(r.str());
            default -> throw new ProtocolException("unknown outcome tag " + tag);
        };
    }

    private static void result(PayloadWriter w, Result res) {
        switch (res) {
            case Result.Empty e -> w.u8(0);
            case Result.Session s -> w.u8(1).str(s.user()).bool(s.admin()).str(s.resumeToken());
            case Result.JobAccepted a -> w.u8(2).i64(a.jobId()).enumVal(a.state()).str(a.note());
            case Result.JobPage p -> w.u8(3).list(p.jobs(), Codec::summary).bool(p.more());
            case Result.Detail d -> {
                w.u8(4);
                JobDetail j = d.job();
                summary(w, j.summary());
                w.str(j.scriptSha256()).strs(j.args()).strs(j.inputNames())
                        .list(j.files(), Codec::outputFile)
                        .i64(j.cpuMillis()).str(j.outputSha256())
                        .list(j.replicas(), Codec::replica);
            }
            case Result.Text t -> w.u8(5).text(t.text());
            case Result.Pool p -> {
                PoolStatus s = p.status();
                w.u8(6).i32(s.lendersOnline()).i32(s.freeSlots()).i32(s.queuedJobs())
                        .i32(s.runningJobs()).list(s.modules(), Codec::poolModule);
            }
            case Result.Sweep sw -> {
                w.u8(7);
                sweepSummary(w, sw.sweep());
            }
            case Result.SweepPage p -> w.u8(8).list(p.sweeps(), Codec::sweepSummary)
                    .bool(p.more());
        }
    }

    private static Result readResult(PayloadReader r) throws ProtocolException {
        int tag = r.u8();
        return switch (tag) {
            case 0 -> new Result.Empty();
            case 1 -> new Result.Session(r.str(), r.bool(), r.str());
            case 2 -> new Result.JobAccepted(r.i64(), r.enumVal(JobState.values(), "job state"),
                    r.str());
            case 3 -> new Result.JobPage(r.list(Codec::readSummary), r.bool());
            case 4 -> new Result.Detail(new JobDetail(readSummary(r), r.str(), r.strs(), r.strs(),
                    r.list(Codec::readOutputFile), r.i64(), r.str(),
                    r.list(Codec::readReplica)));
            case 5 -> new Result.Text(r.text());
            case 6 -> new Result.Pool(new PoolStatus(r.i32(), r.i32(), r.i32(), r.i32(),
                    r.list(Codec::readPoolModule)));
            case 7 -> new Result.Sweep(readSweepSummary(r));
            case 8 -> new Result.SweepPage(r.list(Codec::readSweepSummary), r.bool());
            default -> throw new ProtocolException("unknown result tag " + tag);
        };
    }
}
