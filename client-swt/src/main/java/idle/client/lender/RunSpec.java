package idle.client.lender;

import idle.shared.model.InputFile;
import java.util.List;
import java.util.Objects;

/**
 * What to run: a script, its arguments and input files, a label for logs and paths, and the
 * lender environment to run it in (an index into {@link Sandbox#environments}).
 */
public record RunSpec(String label, String scriptName, byte[] script, List<String> args,
        List<InputFile> inputs, int environment) {
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

    /** A run in the default environment. */
    public RunSpec(String label, String scriptName, byte[] script, List<String> args,
            List<InputFile> inputs) {
        this(label, scriptName, script, args, inputs, 0);
    }

    /** A script with no arguments or inputs. */
    public static RunSpec of(String label, String scriptName, String source) {
        return new RunSpec(label, scriptName,
                source.getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of(), List.of());
    }
}
