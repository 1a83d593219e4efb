package idle.client.ui.model;

import idle.client.ui.service.SubmitRequest;
import idle.shared.model.WaitPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A script the user added and has not submitted yet, with its arguments and inputs. UI thread only. */
public final class PendingScript {
    private final Path script;
    private String args = "";
    private final List<Path> inputs = new ArrayList<>();

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

    public SubmitRequest toRequest(WaitPolicy policy) {
        return new SubmitRequest(script, Arguments.split(args), inputs, policy);
    }
}
