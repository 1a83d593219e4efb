package idle.client.ui.service;

import idle.shared.model.WaitPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One script to submit, as the user chose it: the script file, its arguments, its input files and
 * what to do when every lender is busy. Immutable; kept with the job so it can be re-run.
 */
public record SubmitRequest(Path script, List<String> args, List<Path> inputs, WaitPolicy waitPolicy) {
    public SubmitRequest {
        Objects.requireNonNull(script, "script");
        args = List.copyOf(args);
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(waitPolicy, "waitPolicy");
    }

    /** The script's file name, as the server will show it. */
    public String scriptName() {
        return script.getFileName().toString();
    }
}
