package idle.shared.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.ComparePart;
import idle.shared.model.Distribution;
import idle.shared.model.FailureKind;
import idle.shared.model.JobDetail;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ModuleNeed;
import idle.shared.model.PoolModule;
import idle.shared.model.PoolStatus;
import idle.shared.model.PythonEnvironment;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.model.SweepSummary;
import idle.shared.model.SweepTask;
import idle.shared.model.TaskPosition;
import idle.shared.model.Verification;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameDecoder;
import idle.shared.protocol.Limits;
import idle.shared.protocol.ProtocolException;
import idle.shared.protocol.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hex examples in {@code docs/PROTOCOL.md} are generated here from the real codec, each with a
 * field-by-field breakdown that is checked against {@link Codec#payload}. The test fails when the
 * document and the codec disagree; it writes the current examples to
 * {@code target/protocol-examples.md} for pasting.
 */
class ProtocolDocTest {
    private static final Path DOC = Path.of("..", "docs", "PROTOCOL.md");
    private static final byte[] SCRIPT = "print('hi')\n".getBytes(StandardCharsets.UTF_8);
    private static final String SCRIPT_SHA = Sha256.hex(SCRIPT);
    private static final byte[] FILE = "42\n".getBytes(StandardCharsets.UTF_8);
    private static final String FILE_SHA = Sha256.hex(FILE);

    record Field(String label, byte[] bytes) {
        Field withLabel(String other) {
            return new Field(other, bytes);
        }
    }

    record Example(String title, int id, Message message, List<Field> fields) {
    }

    private static Field f(String label, Consumer<PayloadWriter> write) {
        PayloadWriter w = new PayloadWriter();
        write.accept(w);
        return new Field(label, w.toBytes());
    }

    private static Field count(String label, int n) {
        return f(label + ": u16 count " + n, w -> w.u8(n >>> 8).u8(n));
    }

    private static Field str(String label, String s) {
        return f(label + ": u16 length " + s.getBytes(StandardCharsets.UTF_8).length + ", \""
                + s + "\"", w -> w.str(s));
    }

    private static Field i32(String label, int v) {
        return f(label + ": i32 " + v, w -> w.i32(v));
    }

    private static Field i64(String label, long v) {
        return f(label + ": i64 " + v, w -> w.i64(v));
    }

    private static Field u8(String label, int v) {
        return f(label + ": u8 " + v, w -> w.u8(v));
    }

    private static Field bytes(String label, byte[] b) {
        return f(label + ": i32 length " + b.length + " + bytes", w -> w.bytes(b));
    }

    private static Example ex(String title, int id, Message m, Field... fields) {
        return new Example(title, id, m, List.of(fields));
    }

    private static final JobSummary DONE = new JobSummary(17, "hello.py", JobState.SUCCEEDED, 0,
            null, "", "lender-7f3a", 1, 1_764_300_000_000L, 1_764_300_000_250L,
            1_764_300_001_000L, 3);

    private static List<Field> summaryFields(String p, JobSummary s) {
        List<Field> l = new ArrayList<>();
        l.add(i64(p + "jobId", s.jobId()));
        l.add(str(p + "scriptName", s.scriptName()));
        l.add(u8(p + "state " + s.state(), s.state().ordinal()));
        l.add(s.exitCode() == null ? u8(p + "exitCode absent", 0)
                : f(p + "exitCode present: u8 1, i32 " + s.exitCode(),
                        w -> w.u8(1).i32(s.exitCode())));
        l.add(s.limit() == null ? u8(p + "limit absent", 0)
                : f(p + "limit present: u8 1, u8 " + s.limit(),
                        w -> w.u8(1).enumVal(s.limit())));
        l.add(str(p + "reason", s.reason()));
        l.add(str(p + "lender", s.lender()));
        l.add(i32(p + "attempts", s.attempts()));
        l.add(i64(p + "submittedAt", s.submittedAt()));
        l.add(i64(p + "startedAt", s.startedAt()));
        l.add(i64(p + "finishedAt", s.finishedAt()));
        l.add(i64(p + "outputBytes", s.outputBytes()));
        l.add(i64(p + "sweepId", s.sweepId()));
        l.add(i32(p + "taskIndex", s.taskIndex()));
        Verification v = s.verification();
        l.add(u8(p + "verification.replicas", v.replicas()));
        l.add(u8(p + "verification.state " + v.state(), v.state().ordinal()));
        l.add(u8(p + "verification.agreeing", v.agreeing()));
        l.add(u8(p + "verification.results", v.results()));
        l.add(u8(p + "verification.compared (mask, 0 = all)", ComparePart.mask(v.compared())));
        return l;
    }

    private static List<Field> sweepFields(SweepSummary s) {
        return sweepFields("", s);
    }

    private static List<Field> sweepFields(String p, SweepSummary s) {
        List<Field> l = new ArrayList<>();
        l.add(i64(p + "sweepId", s.sweepId()));
        l.add(str(p + "scriptName", s.scriptName()));
        l.add(i32(p + "taskCount", s.taskCount()));
        l.add(i32(p + "tasks", s.tasks()));
        l.add(i32(p + "queued", s.queued()));
        l.add(i32(p + "running", s.running()));
        l.add(i32(p + "succeeded", s.succeeded()));
        l.add(i32(p + "failed", s.failed()));
        l.add(i32(p + "cancelled", s.cancelled()));
        l.add(i64(p + "submittedAt", s.submittedAt()));
        l.add(i64(p + "finishedAt", s.finishedAt()));
        l.add(i64(p + "retryOf", s.retryOf()));
        l.add(u8(p + "open " + s.open(), s.open() ? 1 : 0));
        return l;
    }

    private static Example exList(String title, int id, Message m, List<Field> fields) {
        return new Example(title, id, m, fields);
    }

    private static List<Field> join(List<Field> a, Field... b) {
        List<Field> l = new ArrayList<>(a);
        l.addAll(List.of(b));
        return l;
    }

    private static List<Field> join(Field a, List<Field> b) {
        List<Field> l = new ArrayList<>();
        l.add(a);
        l.addAll(b);
        return l;
    }

    /** The documented examples, in the order they appear in PROTOCOL.md. */
    static List<Example> examples() {
        List<Example> l = new ArrayList<>();
        LenderCapabilities caps = new LenderCapabilities("3.11.2", 4, 8192, 2, 600, 1024, 3600,
                100, "bubblewrap", false, List.of(new PythonEnvironment("3.11.2",
                        List.of("numpy"), List.of(new Distribution("numpy", "1.24.2",
                                List.of("numpy"))))));
        JobNeeds needs = new JobNeeds("3.10", 256, 0, List.of(ModuleNeed.parse("numpy>=1.24")));
        // ---- login
        l.add(ex("C: LCS#1{client=\"idle-cli/1.0\", resumeToken=null}", 1,
                new Message.Login("idle-cli/1.0", null),
                str("client", "idle-cli/1.0"), u8("resumeToken absent", 0)));
        l.add(ex("S: GID#1{\"\"}", 1, new Message.UserId(""), str("name", "")));
        l.add(ex("C: GID#1{\"alice\"}", 1, new Message.UserId("alice"), str("name", "alice")));
        l.add(ex("S: GPW#1{\"\"}", 1, new Message.Password(""), str("password", "")));
        l.add(ex("C: GPW#1{\"secret\"}", 1, new Message.Password("secret"),
                str("password", "secret")));
        l.add(ex("S: SCF#1{Session(user=\"alice\", admin=false, resumeToken=\"k3Jx9\")}", 1,
                new Message.Success(new Result.Session("alice", false, "k3Jx9")),
                u8("result tag 1 = Session", 1), str("user", "alice"), u8("admin false", 0),
                str("resumeToken", "k3Jx9")));
        l.add(ex("S: FLD#1{BAD_CREDENTIALS, \"wrong user name or password\"}", 1,
                new Message.Failure(FailureKind.BAD_CREDENTIALS, "wrong user name or password"),
                u8("kind BAD_CREDENTIALS", 0), str("reason", "wrong user name or password")));
        // ---- runner
        l.add(ex("C: RCS#2{\"hello.py\", script, sha256, args=[\"3\"], inputs=[], "
                + "needs=(\"3.10\", 256, 0, [numpy>=1.24]), QUEUE, verify=2, "
                + "compare={EXIT, STDOUT}}", 2,
                new Message.RunScript("hello.py", SCRIPT, SCRIPT_SHA, List.of("3"), List.of(),
                        needs, WaitPolicy.QUEUE, 2, Set.of(ComparePart.EXIT, ComparePart.STDOUT)),
                str("scriptName", "hello.py"), bytes("script \"print('hi')\\n\"", SCRIPT),
                str("scriptSha256", SCRIPT_SHA).withLabel("scriptSha256: u16 length 64, hex"),
                count("args", 1), str("args[0]", "3"), count("inputs", 0),
                str("needs.minPython", "3.10"), i32("needs.memoryMb", 256),
                i32("needs.timeoutSeconds", 0), count("needs.modules", 1),
                str("needs.modules[0].name", "numpy"), str("needs.modules[0].spec", ">=1.24"),
                u8("waitPolicy QUEUE", 0), u8("verify 2", 2),
                u8("compare EXIT|STDOUT = 0b0011", 3)));
        l.add(ex("S: SCF#2{JobAccepted(jobId=17, QUEUED, note=\"\")}", 2,
                new Message.Success(new Result.JobAccepted(17, JobState.QUEUED, "")),
                u8("result tag 2 = JobAccepted", 2), i64("jobId", 17), u8("state QUEUED", 0),
                str("note", "")));
        String nla = "no lender offers pandas (4 lenders online; 2 offer numpy 1.26.4)";
        l.add(ex("S: NLA#2{\"" + nla + "\"}", 2, new Message.NoLenders(nla), str("reason", nla)));
        l.add(ex("S: OUT#2{jobId=17, seq=0, STDOUT, \"hi\\n\"}", 2,
                new Message.Output(17, 0, StreamKind.STDOUT, "hi\n".getBytes(StandardCharsets.UTF_8)),
                i64("jobId", 17), i64("seq", 0), u8("stream STDOUT", 0),
                bytes("data \"hi\\n\"", "hi\n".getBytes(StandardCharsets.UTF_8))));
        l.add(ex("C: OK#2{0}", 2, new Message.Ack(0), i64("seq", 0)));
        l.add(exList("S: JST#2{JobSummary(17, \"hello.py\", SUCCEEDED, exit 0, ...)}", 2,
                new Message.JobEvent(DONE), summaryFields("", DONE)));
        l.add(ex("C: ATT#3{jobId=17, fromSeq=0, follow=true}", 3, new Message.Attach(17, 0, true),
                i64("jobId", 17), i64("fromSeq", 0), u8("follow true", 1)));
        l.add(ex("C: CAN#4{jobId=17}", 4, new Message.Cancel(17), i64("jobId", 17)));
        l.add(ex("C: HST#5{state=null, nameContains=\"hello\", beforeJobId=0, limit=20}", 5,
                new Message.History(null, "hello", 0, 20), u8("state absent", 0),
                f("nameContains present: u8 1, u16 length 5, \"hello\"",
                        w -> w.u8(1).str("hello")),
                i64("beforeJobId", 0), i32("limit", 20)));
        l.add(ex("S: SCF#5{JobPage(jobs=[], more=false)}", 5,
                new Message.Success(new Result.JobPage(List.of(), false)),
                u8("result tag 3 = JobPage", 3), count("jobs", 0), u8("more false", 0)));
        l.add(ex("C: JOB#6{jobId=17}", 6, new Message.JobQuery(17), i64("jobId", 17)));
        JobDetail detail = new JobDetail(DONE, SCRIPT_SHA, List.of("3"), List.of(), List.of(), 12,
                "");
        List<Field> detailFields = join(u8("result tag 4 = Detail", 4),
                summaryFields("summary.", DONE));
        detailFields = join(detailFields,
                str("scriptSha256", SCRIPT_SHA).withLabel("scriptSha256: u16 length 64, hex"),
                count("args", 1), str("args[0]", "3"), count("inputNames", 0),
                count("files", 0), i64("cpuMillis", 12), str("outputSha256", ""),
                count("replicas", 0));
        l.add(exList("S: SCF#6{Detail(summary, scriptSha256, args=[\"3\"], inputNames=[], "
                + "files=[], cpuMillis=12, outputSha256=\"\", replicas=[])}", 6,
                new Message.Success(new Result.Detail(detail)), detailFields));
        l.add(ex("C: GIP#7{jobId=17}", 7, new Message.LenderOf(17), i64("jobId", 17)));
        l.add(ex("S: SCF#7{Text(\"lender-7f3a\")}", 7,
                new Message.Success(new Result.Text("lender-7f3a")),
                u8("result tag 5 = Text", 5),
                f("text: i32 length 11, \"lender-7f3a\"", w -> w.text("lender-7f3a"))));
        l.add(ex("C: GPT#8{}", 8, new Message.PoolQuery()));
        l.add(ex("S: SCF#8{Pool(lendersOnline=2, freeSlots=3, queued=0, running=1, "
                + "modules=[numpy: 2 lenders, 1.24.2])}", 8,
                new Message.Success(new Result.Pool(new PoolStatus(2, 3, 0, 1,
                        List.of(new PoolModule("numpy", 2, List.of("1.24.2")))))),
                u8("result tag 6 = Pool", 6), i32("lendersOnline", 2), i32("freeSlots", 3),
                i32("queuedJobs", 0), i32("runningJobs", 1), count("modules", 1),
                str("modules[0].name", "numpy"), i32("modules[0].lenders", 2),
                count("modules[0].versions", 1), str("modules[0].versions[0]", "1.24.2")));
        l.add(ex("C: GOF#9{jobId=17, name=\"out.txt\"}", 9,
                new Message.GetOutputFile(17, "out.txt"), i64("jobId", 17), str("name", "out.txt")));
        l.add(ex("S: TOF#9{jobId=17, \"out.txt\", size=3, sha256}", 9,
                new Message.TakeOutputFile(17, "out.txt", 3, FILE_SHA), i64("jobId", 17),
                str("name", "out.txt"), i64("size", 3),
                str("sha256", FILE_SHA).withLabel("sha256: u16 length 64, hex")));
        l.add(ex("S: DAT#9{jobId=17, seq=0, \"42\\n\"}", 9, new Message.FileData(17, 0, FILE),
                i64("jobId", 17), i64("seq", 0), bytes("data \"42\\n\"", FILE)));
        l.add(ex("S: EOF#9{jobId=17, \"out.txt\", size=3, sha256}", 9,
                new Message.EndOfFile(17, "out.txt", 3, FILE_SHA), i64("jobId", 17),
                str("name", "out.txt"), i64("size", 3),
                str("sha256", FILE_SHA).withLabel("sha256: u16 length 64, hex")));
        l.add(ex("C: SCF#9{Empty}", 9, new Message.Success(new Result.Empty()),
                u8("result tag 0 = Empty", 0)));
        // ---- lender
        l.add(ex("C: MML#1{LenderCapabilities(\"3.11.2\", cores 4, 8192 MiB, maxJobs 2, 600 s CPU, "
                + "1024 MiB, 3600 s, 100 MiB, \"bubblewrap\", whenIdle false, "
                + "environments=[(\"3.11.2\", [numpy], [numpy 1.24.2 (numpy)])])}", 1,
                new Message.MakeLender(caps), str("pythonVersion", "3.11.2"), i32("cores", 4),
                i64("memoryMb", 8192), i32("maxJobs", 2), i32("cpuSeconds", 600),
                i32("memoryLimitMb", 1024), i32("timeoutSeconds", 3600), i32("maxOutputMb", 100),
                str("sandbox", "bubblewrap"), u8("whenIdle false", 0), count("environments", 1),
                str("environments[0].pythonVersion", "3.11.2"),
                count("environments[0].modules", 1), str("environments[0].modules[0]", "numpy"),
                count("environments[0].distributions", 1),
                str("environments[0].distributions[0].name", "numpy"),
                str("environments[0].distributions[0].version", "1.24.2"),
                count("environments[0].distributions[0].modules", 1),
                str("environments[0].distributions[0].modules[0]", "numpy")));
        l.add(ex("S: EXF#-1{jobId=17, attempt=1, \"hello.py\", script, sha256, args=[\"3\"], "
                + "inputs=[], needs, environment=0}", -1,
                new Message.Execute(17, 1, "hello.py", SCRIPT, SCRIPT_SHA, List.of("3"), List.of(),
                        needs, 0),
                i64("jobId", 17), i32("attempt", 1), str("scriptName", "hello.py"),
                bytes("script \"print('hi')\\n\"", SCRIPT),
                str("scriptSha256", SCRIPT_SHA).withLabel("scriptSha256: u16 length 64, hex"),
                count("args", 1), str("args[0]", "3"), count("inputs", 0),
                str("needs.minPython", "3.10"), i32("needs.memoryMb", 256),
                i32("needs.timeoutSeconds", 0), count("needs.modules", 1),
                str("needs.modules[0].name", "numpy"), str("needs.modules[0].spec", ">=1.24"),
                u8("environment", 0), u8("task absent", 0)));
        l.add(ex("S: EXF#-5{jobId=40, attempt=1, \"sim.py\", script, sha256, args=[\"0.5\"], "
                + "inputs=[], needs, task=(3, 20)}", -5,
                new Message.Execute(40, 1, "sim.py", SCRIPT, SCRIPT_SHA, List.of("0.5"), List.of(),
                        JobNeeds.NONE, new TaskPosition(3, 20)),
                i64("jobId", 40), i32("attempt", 1), str("scriptName", "sim.py"),
                bytes("script \"print('hi')\\n\"", SCRIPT),
                str("scriptSha256", SCRIPT_SHA).withLabel("scriptSha256: u16 length 64, hex"),
                count("args", 1), str("args[0]", "0.5"), count("inputs", 0),
                str("needs.minPython", ""), i32("needs.memoryMb", 0),
                i32("needs.timeoutSeconds", 0), count("needs.modules", 0), u8("environment", 0),
                f("task present: u8 1, index i32 3, count i32 20", w -> w.u8(1).i32(3).i32(20))));
        l.add(ex("C: FIN#-1{jobId=17, attempt=1, Succeeded, use(cpu 12 ms, wall 40 ms, 3 B, 0 B)}",
                -1, new Message.Finished(17, 1, new JobOutcome.Succeeded(),
                        new ResourceUse(12, 40, 3, 0)),
                i64("jobId", 17), i32("attempt", 1), u8("outcome tag 0 = Succeeded", 0),
                i64("cpuMillis", 12), i64("wallMillis", 40), i64("stdoutBytes", 3),
                i64("stderrBytes", 0)));
        l.add(ex("C: FIN#-4{jobId=18, attempt=2, LimitExceeded(WALL_CLOCK, \"3600 s\"), use}", -4,
                new Message.Finished(18, 2, new JobOutcome.LimitExceeded(
                        idle.shared.model.Limit.WALL_CLOCK, "3600 s"),
                        new ResourceUse(3_599_000, 3_600_000, 0, 0)),
                i64("jobId", 18), i32("attempt", 2), u8("outcome tag 3 = LimitExceeded", 3),
                u8("limit WALL_CLOCK", 2), str("detail", "3600 s"), i64("cpuMillis", 3_599_000),
                i64("wallMillis", 3_600_000), i64("stdoutBytes", 0), i64("stderrBytes", 0)));
        l.add(ex("S: CAN#-2{jobId=17}", -2, new Message.Cancel(17), i64("jobId", 17)));
        l.add(ex("C: BSY#3{available=false, \"owner is back\"}", 3,
                new Message.Availability(false, "owner is back"), u8("available false", 0),
                str("reason", "owner is back")));
        l.add(ex("C: WBL#4{returnJobs=false}", 4, new Message.Withdraw(false),
                u8("returnJobs false", 0)));
        // ---- sweeps
        l.add(ex("C: SWP#13{\"sim.py\", script, sha256, inputs=[], needs=(\"\", 0, 0, []), QUEUE, "
                + "taskCount=20}", 13,
                new Message.SweepOpen("sim.py", SCRIPT, SCRIPT_SHA, List.of(), JobNeeds.NONE,
                        WaitPolicy.QUEUE, 20),
                str("scriptName", "sim.py"), bytes("script \"print('hi')\\n\"", SCRIPT),
                str("scriptSha256", SCRIPT_SHA).withLabel("scriptSha256: u16 length 64, hex"),
                count("inputs", 0), str("needs.minPython", ""), i32("needs.memoryMb", 0),
                i32("needs.timeoutSeconds", 0), count("needs.modules", 0),
                u8("waitPolicy QUEUE", 0), i32("taskCount", 20)));
        SweepSummary opened = new SweepSummary(5, "sim.py", 20, 0, 0, 0, 0, 0, 0,
                1_764_300_000_000L, 0, 0, true);
        l.add(exList("S: SCF#13{Sweep(5, \"sim.py\", taskCount 20, tasks 0, ..., open)}", 13,
                new Message.Success(new Result.Sweep(opened)),
                join(u8("result tag 7 = Sweep", 7), sweepFields(opened))));
        l.add(ex("C: SWT#14{sweepId=5, tasks=[(0, [\"0.5\"], []), (1, [\"0.7\"], [])], "
                + "last=false}", 14,
                new Message.SweepTasks(5, List.of(SweepTask.of(0, List.of("0.5")),
                        SweepTask.of(1, List.of("0.7"))), false),
                i64("sweepId", 5), count("tasks", 2), i32("tasks[0].index", 0),
                count("tasks[0].args", 1), str("tasks[0].args[0]", "0.5"),
                count("tasks[0].inputs", 0), i32("tasks[1].index", 1),
                count("tasks[1].args", 1), str("tasks[1].args[0]", "0.7"),
                count("tasks[1].inputs", 0), u8("last false", 0)));
        JobSummary task = new JobSummary(41, "sim.py", JobState.FAILED, 2, null, "", "lender-7f3a",
                1, 1_764_300_000_000L, 1_764_300_000_250L, 1_764_300_001_000L, 0, 5, 1);
        l.add(exList("S: JST#13{JobSummary(41, \"sim.py\", FAILED, exit 2, ..., sweep 5, task 1)}",
                13, new Message.JobEvent(task), summaryFields("", task)));
        l.add(ex("C: SWA#15{sweepId=5, follow=true}", 15, new Message.SweepAttach(5, true),
                i64("sweepId", 5), u8("follow true", 1)));
        l.add(ex("C: SWL#16{sweepId=0, beforeId=0, limit=20}", 16, new Message.SweepList(0, 0, 20),
                i64("sweepId", 0), i64("beforeId", 0), i32("limit", 20)));
        SweepSummary done = new SweepSummary(5, "sim.py", 20, 20, 0, 0, 19, 1, 0,
                1_764_300_000_000L, 1_764_300_009_000L, 0, false);
        List<Field> page = join(u8("result tag 8 = SweepPage", 8), join(
                List.of(count("sweeps", 1)), new Field[0]));
        page.addAll(sweepFields("sweeps[0].", done));
        page.add(u8("more false", 0));
        l.add(exList("S: SCF#16{SweepPage(sweeps=[Sweep(5, ..., 19 succeeded, 1 failed)], "
                + "more=false)}", 16,
                new Message.Success(new Result.SweepPage(List.of(done), false)), page));
        l.add(ex("C: SWC#17{sweepId=5}", 17, new Message.SweepCancel(5), i64("sweepId", 5)));
        l.add(ex("C: SWR#18{sweepId=5}", 18, new Message.SweepRetry(5), i64("sweepId", 5)));
        // ---- lender credit
        l.add(ex("S: CRD#-4{TRUSTED, 35 agreed, 2 unchecked, 0 outvoted, 1 lost, 0 strikes, "
                + "1 h 05 min served, 1 h 02 min credit}", -4, new Message.Credit(
                        new idle.shared.model.LenderCredit(idle.shared.model.LenderStanding.TRUSTED,
                                35, 2, 0, 1, 0, 3_900_000, 3_720_000)),
                u8("standing TRUSTED", 1), i64("agreed", 35), i64("unchecked", 2),
                i64("disagreed", 0), i64("lost", 1), i64("strikes", 0),
                i64("cpuMillis", 3_900_000), i64("creditMillis", 3_720_000)));
        // ---- connection
        l.add(ex("C: HBT#10{token=1}", 10, new Message.Heartbeat(1), i64("token", 1)));
        l.add(ex("S: SDN#-3{\"maintenance\"}", -3, new Message.Shutdown("maintenance"),
                str("reason", "maintenance")));
        l.add(ex("C: SSD#-3{}", -3, new Message.ShutdownAck()));
        l.add(ex("C: DCN#11{}", 11, new Message.Logout()));
        l.add(ex("S: BYE#11{}", 11, new Message.Bye()));
        l.add(ex("S: ILR#0{\"unknown code 0x585858\"}", 0,
                new Message.Illegal("unknown code 0x585858"),
                str("reason", "unknown code 0x585858")));
        l.add(ex("C: ADM#12{[\"user\", \"list\"]}", 12, new Message.Admin(List.of("user", "list")),
                count("argv", 2), str("argv[0]", "user"), str("argv[1]", "list")));
        return l;
    }

    /** The markdown block of one example: header line, then each field with its label. */
    static String render(Example e) {
        Frame frame = Codec.encode(e.id(), e.message());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (Field f : e.fields()) {
            joined.writeBytes(f.bytes());
        }
        assertArrayEquals(frame.payload(), joined.toByteArray(),
                () -> "the field breakdown of " + e.title() + " disagrees with the codec");
        byte[] wire = frame.toBytes();
        HexFormat hex = HexFormat.ofDelimiter(" ");
        StringBuilder sb = new StringBuilder("```hex\n# ").append(e.title()).append('\n');
        line(sb, hex.formatHex(wire, 0, Limits.HEADER_BYTES), "header: \"" + e.message().code()
                + "\", flags 0, id " + e.id() + ", length " + frame.payload().length);
        for (Field f : e.fields()) {
            byte[] b = f.bytes();
            for (int off = 0; off < b.length; off += 16) {
                line(sb, hex.formatHex(b, off, Math.min(b.length, off + 16)),
                        off == 0 ? f.label() : null);
            }
        }
        return sb.append("```\n").toString();
    }

    private static void line(StringBuilder sb, String hex, String comment) {
        sb.append(hex);
        if (comment != null) {
            sb.append(" ".repeat(Math.max(1, 48 - hex.length()))).append("# ").append(comment);
        }
        sb.append('\n');
    }

    @Test
    void everyExampleDecodesToItsMessage() throws ProtocolException {
        for (Example e : examples()) {
            byte[] wire = Codec.encode(e.id(), e.message()).toBytes();
            FrameDecoder d = new FrameDecoder();
            List<Frame> frames = d.feed(wire, 0, wire.length);
            assertEquals(1, frames.size());
            assertTrue(d.isIdle());
            assertEquals(e.message(), Codec.decode(frames.get(0)), e.title());
            assertEquals(e.id(), frames.get(0).requestId());
        }
    }

    @Test
    void examplesCoverEveryCode() {
        Set<Code> covered = EnumSet.noneOf(Code.class);
        for (Example e : examples()) {
            covered.add(e.message().code());
        }
        assertEquals(EnumSet.allOf(Code.class), covered);
    }

    @Test
    void theDocumentShowsExactlyTheseExamples() throws IOException {
        StringBuilder all = new StringBuilder();
        List<String> blocks = new ArrayList<>();
        for (Example e : examples()) {
            String b = render(e);
            blocks.add(b);
            all.append(b).append('\n');
        }
        Path out = Path.of("target", "protocol-examples.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, all.toString());
        String doc = Files.readString(DOC);
        for (String b : blocks) {
            assertTrue(doc.contains(b), () -> "docs/PROTOCOL.md lacks (or has a stale copy of):\n"
                    + b + "(current examples in shared/" + out + ")");
        }
        Matcher m = Pattern.compile("(?s)```hex\n.*?```\n").matcher(doc);
        int n = 0;
        while (m.find()) {
            String found = m.group();
            assertTrue(blocks.contains(found), () -> "stale example in PROTOCOL.md:\n" + found);
            n++;
        }
        assertEquals(blocks.size(), n, "hex examples in PROTOCOL.md");
    }
}
