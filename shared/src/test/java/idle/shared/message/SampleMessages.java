package idle.shared.message;

import idle.shared.model.ComparePart;
import idle.shared.model.Distribution;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
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
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Valid sample messages for tests: one of every message type ({@link #all()}, in {@link Code}
 * order), more variants of the interesting ones ({@link #variants()}), one sample of every
 * {@link Result} and {@link JobOutcome} variant. Values are deliberately awkward: non-ASCII
 * strings, empty lists, nulls where allowed, extreme numbers, binary data with 0x00 and 0xff.
 *
 * <p>Exported in the shared test-jar; the server's fuzz tests reuse it. Every call returns fresh
 * objects, so callers may not disturb each other.
 */
public final class SampleMessages {
    private SampleMessages() {
    }

    /** A python3 script as UTF-8 bytes. */
    public static byte[] script(String source) {
        return source.getBytes(StandardCharsets.UTF_8);
    }

    /** An input file with its correct SHA-256. */
    public static InputFile input(String name, byte[] data) {
        return new InputFile(name, data, Sha256.hex(data));
    }

    /** Bytes 0..n-1 cycling through every byte value, so 0x00 and 0xff both appear. */
    public static byte[] binary(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    /** A finished job's summary with every optional field set (a task of a sweep). */
    public static JobSummary finishedSummary() {
        return new JobSummary(1_234_567_890_123L, "beräkna π.py", JobState.LIMIT_EXCEEDED, 137,
                Limit.MEMORY, "memory limit 512 MiB — killed", "lender-7f3a", 2,
                1_700_000_000_000L, 1_700_000_000_500L, 1_700_000_060_000L, 5_000_000_000L,
                Long.MAX_VALUE, Integer.MAX_VALUE, new Verification(Verification.MAX_REPLICAS,
                        VoteState.UNVERIFIED, 3, Verification.MAX_REPLICAS,
                        Set.of(ComparePart.STDERR, ComparePart.FILES)));
    }

    /** A queued job's summary: no exit code, no limit, empty reason and lender, zero times. */
    public static JobSummary queuedSummary() {
        return new JobSummary(1, "", JobState.QUEUED, null, null, "", "", 0, 1, 0, 0, 0);
    }

    /** A job's details with files and arguments. */
    public static JobDetail detail() {
        return new JobDetail(finishedSummary(), Sha256.hex(script("print(1)\n")),
                List.of("--größe", "", "日本語"), List.of("data.csv", "empty.bin"),
                List.of(new OutputFileInfo("out/plot 1.png", 5_000_000_000L,
                        Sha256.hex(new byte[0])), new OutputFileInfo("résumé.txt", 0, "")),
                Long.MAX_VALUE, Sha256.hex(binary(10)), List.of(
                        new ReplicaResult("lender-7f3a", JobState.SUCCEEDED, 0, null,
                                Sha256.hex(binary(3)), "", List.of(new OutputFileInfo("ö.txt",
                                        1, Sha256.hex(binary(1)))), true, List.of()),
                        new ReplicaResult("", JobState.LIMIT_EXCEEDED, null, Limit.CPU_TIME, "",
                                Sha256.hex(new byte[0]), List.of(), false, List.of(
                                        "exit differs: CPU time limit / exit 0",
                                        "stdout differs at line 3: '0.12' / 'π'"))));
    }

    /** One sample of every {@link Result} variant. */
    public static List<Result> results() {
        return List.of(
                new Result.Empty(),
                new Result.Session("álice", true, "r3sum3-t0k3n/+=="),
                new Result.JobAccepted(Long.MAX_VALUE, JobState.QUEUED,
                        "waiting: all 3 lenders are busy"),
                new Result.JobPage(List.of(finishedSummary(), queuedSummary()), true),
                new Result.Detail(detail()),
                new Result.Text("lender-7f3a ✓ \u0000 tab\there"),
                new Result.Pool(new PoolStatus(3, 0, Integer.MAX_VALUE, 12, List.of(
                        new PoolModule("numpy", 3, List.of("1.26.4", "1.24.2")),
                        new PoolModule("_cffi_backend", Integer.MAX_VALUE, List.of())))),
                new Result.Sweep(sweepSummary()),
                new Result.SweepPage(List.of(sweepSummary(), new SweepSummary(1, "", 1, 0, 0, 0,
                        0, 0, 0, 0, 0, 0, true)), true));
    }

    /** A sweep half way through, a retry of another. */
    public static SweepSummary sweepSummary() {
        return new SweepSummary(77, "sïm.py", 500, 200, 10, 8, 170, 7, 5, 1_700_000_000_000L, 0,
                76, false);
    }

    /** One sample of every {@link JobOutcome} variant. */
    public static List<JobOutcome> outcomes() {
        return List.of(
                new JobOutcome.Succeeded(),
                new JobOutcome.Failed(-1),
                new JobOutcome.Cancelled(),
                new JobOutcome.LimitExceeded(Limit.WALL_CLOCK, "ran for 3600 s ⏱"),
                new JobOutcome.Error("bwrap: cannot create namespace"));
    }

    /** A lender that offers a lot: three environments, one of them unknown. */
    public static LenderCapabilities capabilities() {
        return new LenderCapabilities("3.11.2", 64, 4L * 1024 * 1024 * 1024, 8, 600, 2048, 3600,
                100, "bubblewrap (no network)", true, List.of(
                        new PythonEnvironment("3.11.2", List.of("numpy", "yaml", "sklearn"),
                                List.of(new Distribution("numpy", "1.24.2", List.of("numpy")),
                                        new Distribution("PyYAML", "6.0", List.of("yaml")),
                                        new Distribution("scikit-learn", "1.3.2+local.1",
                                                List.of("sklearn")),
                                        new Distribution("no-modules", "", List.of()))),
                        PythonEnvironment.unknown("3.12.0"),
                        new PythonEnvironment("", List.of("a"), List.of())));
    }

    /** Needs with module requirements of every kind of spec. */
    public static JobNeeds moduleNeeds() {
        return new JobNeeds("3.10", 512, 3600, List.of(ModuleNeed.any("numpy"),
                ModuleNeed.parse("pandas>=2,<3"), ModuleNeed.parse("scikit-learn~=1.3.0"),
                ModuleNeed.parse("yaml==6.*"), ModuleNeed.parse("x!=1.0rc1,>0.9.post2")));
    }

    /** One valid message of every type, in {@link Code} order (39 messages). */
    public static List<Message> all() {
        byte[] source = script("import sys\nprint('héllo 世界', sys.argv[1:])\n");
        byte[] csv = script("x,y\n1,2\n");
        return List.of(
                new Message.UserId("álice-β 😀"),
                new Message.Password("pässwörd ✓ 🔑"),
                new Message.LenderOf(Long.MAX_VALUE),
                new Message.PoolQuery(),
                new Message.Execute(9_007_199_254_740_993L, 3, "analyse_données.py", source,
                        Sha256.hex(source), List.of("--n", "10", "", "ünï"),
                        List.of(input("data.csv", csv), input("empty.bin", new byte[0])),
                        moduleNeeds(), 3, new TaskPosition(41, 500)),
                new Message.GetOutputFile(42, "résultats/plot 1.png"),
                new Message.TakeOutputFile(42, "out.txt", 5_000_000_000L, Sha256.hex(binary(3))),
                new Message.Shutdown("maintenance — back at 09:00"),
                new Message.Success(new Result.Session("alice", false, "tok")),
                new Message.Failure(FailureKind.LIMIT, "script is 2.1 MiB; the limit is 1 MiB"),
                new Message.Ack(Long.MIN_VALUE),
                new Message.EndOfFile(42, "out.txt", 0, Sha256.hex(new byte[0])),
                new Message.ShutdownAck(),
                new Message.Bye(),
                new Message.Illegal("MML before login"),
                new Message.NoLenders("no lender offers python ≥ 3.12"),
                new Message.Login("idle-cli/1.0", null),
                new Message.Logout(),
                new Message.MakeLender(capabilities()),
                new Message.Withdraw(true),
                new Message.RunScript("π.py", source, Sha256.hex(source), List.of(),
                        List.of(input("naïve.txt", binary(300))),
                        new JobNeeds("", 0, 0, List.of(ModuleNeed.parse("numpy>=1.24"))),
                        WaitPolicy.NLA_IF_BUSY, 3, Set.of(ComparePart.EXIT, ComparePart.FILES)),
                new Message.Output(7, 0, StreamKind.STDERR, binary(1000)),
                new Message.JobEvent(finishedSummary()),
                new Message.Finished(7, 2, new JobOutcome.LimitExceeded(Limit.CPU_TIME, "600 s"),
                        new ResourceUse(600_123, 601_000, Long.MAX_VALUE, 0)),
                new Message.FileData(7, 31, binary(4096)),
                new Message.Attach(7, 12, true),
                new Message.Cancel(7),
                new Message.History(JobState.FAILED, "prïme", 1000, 50),
                new Message.JobQuery(Long.MAX_VALUE),
                new Message.Heartbeat(-42),
                new Message.Availability(false, "owner is back at the keyboard"),
                new Message.Admin(List.of("user", "add", "bób", "--admin")),
                new Message.SweepOpen("sïm.py", source, Sha256.hex(source),
                        List.of(input("shared.csv", csv)), new JobNeeds("3.10", 512, 0),
                        WaitPolicy.QUEUE, 100_000),
                new Message.SweepTasks(77, List.of(SweepTask.of(0, List.of("--alpha", "0.5")),
                        new SweepTask(99_999, List.of(), List.of(input("run 7.csv", csv)))), true),
                new Message.SweepAttach(77, true),
                new Message.SweepList(0, 1000, 50),
                new Message.SweepCancel(77),
                new Message.SweepRetry(Long.MAX_VALUE),
                new Message.Credit(new idle.shared.model.LenderCredit(
                        idle.shared.model.LenderStanding.REPLICAS_ONLY, 37, Long.MAX_VALUE, 3, 0,
                        2, 3_720_000, 3_600_000)));
    }

    /** {@link #all()} keyed by code. */
    public static Map<Code, Message> byCode() {
        Map<Code, Message> m = new EnumMap<>(Code.class);
        for (Message x : all()) {
            m.put(x.code(), x);
        }
        return m;
    }

    /** The sample of one code. */
    public static Message forCode(Code code) {
        return byCode().get(code);
    }

    /**
     * More valid messages: every Result in an SCF, every outcome in a FIN, and the edge cases
     * (empty strings and lists, nulls where allowed, zero and extreme numbers).
     */
    public static List<Message> variants() {
        List<Message> v = new ArrayList<>();
        for (Result r : results()) {
            v.add(new Message.Success(r));
        }
        for (JobOutcome o : outcomes()) {
            v.add(new Message.Finished(Long.MAX_VALUE, Integer.MAX_VALUE, o, ResourceUse.NONE));
        }
        v.add(new Message.Success(new Result.JobPage(List.of(), false)));
        v.add(new Message.Success(new Result.Text("")));
        v.add(new Message.Success(new Result.Session("", false, "")));
        v.add(new Message.UserId(""));
        v.add(new Message.Password(""));
        v.add(new Message.LenderOf(0));
        v.add(new Message.Login("", "resume-token-ß"));
        v.add(new Message.Withdraw(false));
        v.add(new Message.Execute(0, 0, "", new byte[0], Sha256.hex(new byte[0]), List.of(),
                List.of(), JobNeeds.NONE));
        v.add(new Message.Execute(1, 1, "a.py", script("pass"), Sha256.hex(script("pass")),
                List.of(), List.of(), new JobNeeds("3.9", 0, 0), 0));
        v.add(new Message.RunScript("a.py", script("pass"), Sha256.hex(script("pass")),
                List.of("x"), List.of(), new JobNeeds("", Integer.MAX_VALUE, 0),
                WaitPolicy.QUEUE, 255, Set.of(ComparePart.STDOUT)));
        v.add(new Message.Output(Long.MIN_VALUE, Long.MAX_VALUE, StreamKind.STDOUT, new byte[0]));
        v.add(new Message.JobEvent(queuedSummary()));
        v.add(new Message.FileData(0, 0, new byte[0]));
        v.add(new Message.Attach(1, 0, false));
        v.add(new Message.History(null, null, 0, 1));
        v.add(new Message.History(JobState.LOST, "", Long.MAX_VALUE, 10_000));
        v.add(new Message.Ack(0));
        v.add(new Message.Heartbeat(Long.MAX_VALUE));
        v.add(new Message.Availability(true, ""));
        v.add(new Message.Admin(List.of()));
        v.add(new Message.SweepTasks(0, List.of(), false));
        v.add(new Message.SweepList(Long.MAX_VALUE, 0, 10_000));
        v.add(new Message.SweepAttach(1, false));
        v.add(new Message.Failure(FailureKind.INTERNAL, ""));
        v.add(new Message.MakeLender(new LenderCapabilities("", 0, 0, 1, 0, 0, 0, 0, "", false)));
        v.add(new Message.Success(new Result.Pool(new PoolStatus(0, 0, 0, 0))));
        v.add(new Message.TakeOutputFile(Long.MIN_VALUE, "", 0, Sha256.hex(new byte[0])));
        return v;
    }

    /** {@link #all()} followed by {@link #variants()}. */
    public static List<Message> everything() {
        List<Message> v = new ArrayList<>(all());
        v.addAll(variants());
        return v;
    }

    /** The frames of {@link #everything()}, with request ids 1, -1, 2, -2, ... */
    public static List<Frame> frames() {
        List<Frame> out = new ArrayList<>();
        int i = 0;
        for (Message m : everything()) {
            int id = (i % 2 == 0) ? i / 2 + 1 : -(i / 2 + 1);
            out.add(Codec.encode(id, m));
            i++;
        }
        return out;
    }
}
