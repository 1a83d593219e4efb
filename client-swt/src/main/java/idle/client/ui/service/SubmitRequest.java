package idle.client.ui.service;

import idle.shared.model.ComparePart;
import idle.shared.model.Verification;
import idle.shared.model.WaitPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One script to submit, as the user chose it: the script file, its arguments, its input files,
 * what to do when every lender is busy, and its verification ({@code verify}: 0 for the server's
 * default, 1 for none, 2 to {@value Verification#MAX_REPLICAS} lenders of different accounts;
 * {@code compare}: the parts their results must agree on, all when empty). Immutable; kept with
 * the job so it can be re-run.
 */
public record SubmitRequest(Path script, List<String> args, List<Path> inputs, WaitPolicy waitPolicy,
        int verify, Set<ComparePart> compare) {
    public SubmitRequest {
        Objects.requireNonNull(script, "script");
        args = List.copyOf(args);
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(waitPolicy, "waitPolicy");
        if (verify < 0 || verify > Verification.MAX_REPLICAS) {
            throw new IllegalArgumentException("verify " + verify + " is not 0 to "
                    + Verification.MAX_REPLICAS);
        }
        compare = compare.isEmpty() ? ComparePart.ALL : Set.copyOf(compare);
    }

    /** A script with the server's default verification. */
    public SubmitRequest(Path script, List<String> args, List<Path> inputs, WaitPolicy waitPolicy) {
        this(script, args, inputs, waitPolicy, 0, ComparePart.ALL);
    }

    /** The script's file name, as the server will show it. */
    public String scriptName() {
        return script.getFileName().toString();
    }
}
