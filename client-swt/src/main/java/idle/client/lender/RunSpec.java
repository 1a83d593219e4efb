package idle.client.lender;

import idle.shared.model.InputFile;
import idle.shared.model.TaskPosition;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: a script, its arguments and input files, a label for logs and paths, the lender
 * environment to run it in (an index into {@link Sandbox#environments}), and its place in a sweep
 * ({@code task}, null for a job of its own), which the script sees as {@code IDLE_TASK_INDEX} and
 * {@code IDLE_TASK_COUNT} in its environment.
 */
public record RunSpec(String label, String scriptName, byte[] script, List<String> args,
        List<InputFile> inputs, int environment, TaskPosition task) {
    public RunSpec {
        Objects.requireNonNull(label);
        Objects.requireNonNull(scriptName);
        Objects.requireNonNull(script);
        args = List.copyOf(args);
        inputs = List.copyOf(inputs);
        if (environment < 0) {
            throw new IllegalArgumentException("environment " + environment);
        }
    }

    /** A job of its own (no task of a sweep) in the default environment. */
    public RunSpec(String label, String scriptName, byte[] script, List<String> args,
            List<InputFile> inputs) {
        this(label, scriptName, script, args, inputs, 0, null);
    }

    /** A job of its own (no task of a sweep) in environment {@code environment}. */
    public RunSpec(String label, String scriptName, byte[] script, List<String> args,
            List<InputFile> inputs, int environment) {
        this(label, scriptName, script, args, inputs, environment, null);
    }

    /**
     * The variables the script gets besides the sandbox's own: its place in its sweep (two
     * numbers the server sent, never text), none for a job of its own.
     */
    public Map<String, String> taskVariables() {
        if (task == null) {
            return Map.of();
        }
        return Map.of("IDLE_TASK_INDEX", Integer.toString(task.index()),
                "IDLE_TASK_COUNT", Integer.toString(task.count()));
    }

    /** A script with no arguments or inputs. */
    public static RunSpec of(String label, String scriptName, String source) {
        return new RunSpec(label, scriptName,
                source.getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of(), List.of());
    }
}
