package idle.server.dispatch;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.Verification;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Limits;
import java.util.ArrayList;
import java.util.List;

/**
 * The door's rules for an RCS: sizes within the server's limits, file names by the shared
 * {@link FileNames} rule, and a job that can be sent to a lender at all. A job that passes can
 * always be dispatched; one that fails is refused with FLD before anything is stored. Stateless
 * and thread-safe.
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
        if (rs.verify() > Verification.MAX_REPLICAS) {
            return new Refusal(FailureKind.INVALID, "verify " + rs.verify() + ": a job runs on 1 to "
                    + Verification.MAX_REPLICAS + " lenders (0: the server's default)");
        }
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
        long exf = executeBytes(rs);
        if (exf > Limits.MAX_PAYLOAD) {
            return new Refusal(FailureKind.LIMIT, "the job as sent to a lender would be " + exf
                    + " bytes; the limit of one protocol message is "
                    + Sizes.of(Limits.MAX_PAYLOAD) + " (" + Limits.MAX_PAYLOAD
                    + " bytes): make the script or its inputs smaller");
        }
        return null;
    }

    /**
     * The payload size of the EXF that will carry {@code rs} to a lender, by the codec itself
     * (its job id and attempt are fixed-width, so their values do not matter). It is a few
     * bytes larger than the RCS, so an RCS at the frame limit makes an EXF over it.
     */
    static long executeBytes(Message.RunScript rs) {
        try {
            return Codec.payload(new Message.Execute(0, 0, rs.scriptName(), rs.script(),
                    rs.scriptSha256(), rs.args(), rs.inputs(), rs.needs())).length;
        } catch (IllegalArgumentException e) {
            return Long.MAX_VALUE; // a field the codec cannot carry at all
        }
    }
}
