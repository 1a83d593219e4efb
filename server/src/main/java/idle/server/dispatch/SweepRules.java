package idle.server.dispatch;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.SweepTask;
import idle.shared.model.TaskPosition;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The door's rules for a sweep: at {@code SWP} the script and shared inputs by the same rules as
 * an RCS ({@link Submission}) and the number of tasks within the server's sweep limit; at
 * {@code SWT} each task's arguments and own inputs, by the same rules as an RCS's, with the shared
 * inputs counted in. A task that passes can always be sent to a lender: its EXF's size is worked
 * out from the sweep's once, without encoding the script again per task. Stateless, thread-safe.
 */
final class SweepRules {
    /** The most tasks one sweep may have unless the server says otherwise. */
    static final int DEFAULT_MAX_TASKS = 100_000;

    private final Submission job;
    private final int maxTasks;
    private final long maxInputBytes;

    SweepRules(Submission job, int maxTasks, long maxInputBytes) {
        this.job = job;
        this.maxTasks = maxTasks;
        this.maxInputBytes = maxInputBytes;
    }

    int maxTasks() {
        return maxTasks;
    }

    /** Why an SWP is refused, or null. */
    Submission.Refusal checkOpen(Message.SweepOpen m) {
        if (m.taskCount() > maxTasks) {
            return new Submission.Refusal(FailureKind.LIMIT, "a sweep of " + m.taskCount()
                    + " tasks; the limit is " + maxTasks);
        }
        return job.check(new Message.RunScript(m.scriptName(), m.script(), m.scriptSha256(),
                List.of(), m.inputs(), m.needs(), m.waitPolicy()));
    }

    /** The EXF payload bytes of a task of this sweep with no arguments or inputs of its own. */
    static long baseExecuteBytes(Message.SweepOpen m) {
        try {
            return Codec.payload(new Message.Execute(0, 0, m.scriptName(), m.script(),
                    m.scriptSha256(), List.of(), m.inputs(), m.needs(), new TaskPosition(0, 1)))
                    .length;
        } catch (IllegalArgumentException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Total bytes of some input files. */
    static long bytesOf(List<InputFile> files) {
        long n = 0;
        for (InputFile f : files) {
            n += f.data().length;
        }
        return n;
    }

    /**
     * Why task {@code t} of {@code sweep} is refused, or null.
     *
     * @param sharedBytes bytes of the sweep's shared input files
     */
    String checkTask(SweepRun sweep, long sharedBytes, SweepTask t) {
        if (t.args().size() > Submission.MAX_ARGS) {
            return "task " + t.index() + ": " + t.args().size() + " arguments; the limit is "
                    + Submission.MAX_ARGS;
        }
        List<String> names = new ArrayList<>(sweep.sharedInputs);
        long bytes = sharedBytes;
        long exf = sweep.baseExecuteBytes;
        for (String a : t.args()) {
            exf += 2 + a.getBytes(StandardCharsets.UTF_8).length;
        }
        for (InputFile f : t.inputs()) {
            names.add(f.name());
            bytes += f.data().length;
            // name str, data bytes, sha256 str: as the codec writes an InputFile
            exf += 2 + f.name().getBytes(StandardCharsets.UTF_8).length + 4 + f.data().length
                    + 2 + 64;
        }
        String nameProblem = FileNames.checkJobFiles(sweep.scriptName, names);
        if (nameProblem != null) {
            return "task " + t.index() + ": " + nameProblem;
        }
        if (bytes > maxInputBytes) {
            return "task " + t.index() + ": input files are " + Sizes.of(bytes)
                    + " in all; the limit is " + Sizes.of(maxInputBytes);
        }
        if (exf > Limits.MAX_PAYLOAD) {
            return "task " + t.index() + ": as sent to a lender it would be " + exf
                    + " bytes; the limit of one protocol message is " + Limits.MAX_PAYLOAD;
        }
        return null;
    }

    /** Whether a refusal from {@link #checkTask} is about a limit (else the request is invalid). */
    static FailureKind kindOf(String why) {
        return why.contains("limit") ? FailureKind.LIMIT : FailureKind.INVALID;
    }
}
