package idle.client.runner;

import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.SweepTask;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Sha256;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One script to run as a sweep: many tasks, each with its own arguments and input files, and
 * input files every task gets ({@code sharedInputs}, sent and stored once).
 *
 * @param tasks the tasks, with distinct indexes below {@link #taskCount()}
 */
public record SweepRequest(String scriptName, byte[] script, List<InputFile> sharedInputs,
        List<SweepTask> tasks, JobNeeds needs, WaitPolicy waitPolicy) {
    public SweepRequest {
        Objects.requireNonNull(scriptName, "scriptName");
        Objects.requireNonNull(script, "script");
        sharedInputs = List.copyOf(sharedInputs);
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(needs, "needs");
        Objects.requireNonNull(waitPolicy, "waitPolicy");
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one task");
        }
        List<String> shared = sharedInputs.stream().map(InputFile::name).toList();
        String why = FileNames.checkJobFiles(scriptName, shared);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        for (SweepTask t : tasks) {
            if (t.inputs().isEmpty()) {
                continue;
            }
            List<String> names = new ArrayList<>(shared);
            t.inputs().forEach(f -> names.add(f.name()));
            why = FileNames.checkJobFiles(scriptName, names);
            if (why != null) {
                throw new IllegalArgumentException("task " + t.index() + ": " + why);
            }
        }
    }

    /** The number of tasks (what each sees as IDLE_TASK_COUNT): one past the highest index. */
    public int taskCount() {
        int max = -1;
        for (SweepTask t : tasks) {
            max = Math.max(max, t.index());
        }
        return max + 1;
    }

    public String scriptSha256() {
        return Sha256.hex(script);
    }

    /** The {@code SWP} this sweep opens with. */
    public idle.shared.message.Message.SweepOpen toOpen() {
        return new idle.shared.message.Message.SweepOpen(scriptName, script, scriptSha256(),
                sharedInputs, needs, waitPolicy, taskCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SweepRequest r && r.scriptName.equals(scriptName)
                && java.util.Arrays.equals(r.script, script) && r.sharedInputs.equals(sharedInputs)
                && r.tasks.equals(tasks) && r.needs.equals(needs) && r.waitPolicy == waitPolicy;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scriptName, java.util.Arrays.hashCode(script), tasks.size());
    }

    @Override
    public String toString() {
        return "SweepRequest[" + scriptName + ", " + tasks.size() + " tasks]";
    }
}
