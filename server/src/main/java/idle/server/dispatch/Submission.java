package idle.server.dispatch;

import idle.shared.message.Message;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.protocol.FileNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The door's rules for an RCS: sizes within the server's limits, file names by the shared
 * {@link FileNames} rule. One that fails is refused with FLD before anything is stored.
 * Stateless and thread-safe.
 */
final class Submission {
    /** Most arguments a job may have. */
    static final int MAX_ARGS = 1000;

    private final int maxScriptBytes;
    private final long maxInputBytes;

    /** Why an RCS is refused: the FLD's kind and reason. */
    record Refusal(FailureKind kind, String reason) {
    }

    Submission(int maxScriptBytes, long maxInputBytes) {
        this.maxScriptBytes = maxScriptBytes;
        this.maxInputBytes = maxInputBytes;
    }

    /** Why {@code rs} is refused, or null when it is accepted. */
    Refusal check(Message.RunScript rs) {
        if (rs.script().length > maxScriptBytes) {
            return new Refusal(FailureKind.LIMIT, "script is " + Sizes.of(rs.script().length)
                    + "; the limit is " + Sizes.of(maxScriptBytes));
        }
        List<String> inputNames = new ArrayList<>(rs.inputs().size());
        long total = 0;
        for (InputFile f : rs.inputs()) {
            inputNames.add(f.name());
            total += f.data().length;
        }
        String nameProblem = FileNames.checkJobFiles(rs.scriptName(), inputNames);
        if (nameProblem != null) {
            return new Refusal(FailureKind.INVALID, nameProblem);
        }
        if (total > maxInputBytes) {
            return new Refusal(FailureKind.LIMIT, "input files are " + Sizes.of(total)
                    + " in all; the limit is " + Sizes.of(maxInputBytes));
        }
        if (rs.args().size() > MAX_ARGS) {
            return new Refusal(FailureKind.LIMIT, rs.args().size() + " arguments; the limit is "
                    + MAX_ARGS);
        }
        return null;
    }
}
