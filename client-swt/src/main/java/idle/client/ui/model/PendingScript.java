package idle.client.ui.model;

import idle.client.runner.ScriptNeeds;
import idle.client.ui.service.SubmitRequest;
import idle.shared.model.ModuleNeed;
import idle.shared.model.WaitPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A script the user added and has not submitted yet, with its arguments and inputs, and the
 * packages it needs once they were read (off the UI thread). UI thread only.
 */
public final class PendingScript {
    private final Path script;
    private String args = "";
    private final List<Path> inputs = new ArrayList<>();
    private List<ModuleNeed> needs;

    public PendingScript(Path script) {
        this.script = Objects.requireNonNull(script, "script");
    }

    public Path script() {
        return script;
    }

    public String args() {
        return args;
    }

    public void setArgs(String args) {
        this.args = args == null ? "" : args;
    }

    public List<Path> inputs() {
        return inputs;
    }

    public void addInputs(List<Path> more) {
        for (Path p : more) {
            if (!inputs.contains(p)) {
                inputs.add(p);
            }
        }
    }

    /** The packages it needs (from its imports), or null while they are being read. */
    public List<ModuleNeed> needs() {
        return needs;
    }

    public void setNeeds(List<ModuleNeed> needs) {
        this.needs = needs == null ? null : List.copyOf(needs);
    }

    /**
     * Reads {@code script} and finds what it needs (see {@link ScriptNeeds#detect}); blocks on
     * the disk: call it on a worker thread.
     */
    public static List<ModuleNeed> readNeeds(Path script, List<Path> inputs) throws IOException {
        byte[] source = Files.readAllBytes(script);
        return ScriptNeeds.detect(script.getFileName().toString(), source,
                inputs.stream().map(p -> p.getFileName().toString()).toList());
    }

    public SubmitRequest toRequest(WaitPolicy policy) {
        return toRequest(policy, VerifyChoice.DEFAULT);
    }

    /** The request to submit, verified as {@code verify} says. */
    public SubmitRequest toRequest(WaitPolicy policy, VerifyChoice verify) {
        return new SubmitRequest(script, Arguments.split(args), inputs, policy, verify.replicas(),
                verify.compare());
    }
}
