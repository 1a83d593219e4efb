package idle.shared.model;

import java.util.List;
import java.util.Objects;

/**
 * One task of a sweep as the runner sends it: its index in the sweep (0-based; the task sees it as
 * {@code IDLE_TASK_INDEX}), the script's arguments for it, and the input files of this task alone
 * (files shared by every task travel once, with the sweep).
 */
public record SweepTask(int index, List<String> args, List<InputFile> inputs) {
    public SweepTask {
        if (index < 0) {
            throw new IllegalArgumentException("negative task index " + index);
        }
        args = List.copyOf(args);
        inputs = List.copyOf(inputs);
    }

    /** A task with arguments only. */
    public static SweepTask of(int index, List<String> args) {
        return new SweepTask(index, args, List.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SweepTask t && t.index == index && t.args.equals(args)
                && t.inputs.equals(inputs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, args, inputs);
    }
}
