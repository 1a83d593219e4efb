package idle.client.ui.model;

import idle.shared.model.ComparePart;
import idle.shared.model.Verification;
import java.util.Set;

/**
 * What the runner asks of verification for the scripts it submits from the queue: on how many
 * lenders of different accounts each runs ({@code replicas}: 0 for the server's default for
 * this user, 1 for none, 2 to {@value Verification#MAX_REPLICAS} for a vote) and which parts of
 * the results they must agree on. Immutable; any thread.
 *
 * @param replicas 0 (the server's default), 1 (not verified) or 2..7
 * @param compare the parts compared; empty means all
 */
public record VerifyChoice(int replicas, Set<ComparePart> compare) {
    /** The server's default, every part compared: what a runner gets without choosing. */
    public static final VerifyChoice DEFAULT = new VerifyChoice(0, ComparePart.ALL);

    public VerifyChoice {
        if (replicas < 0 || replicas > Verification.MAX_REPLICAS) {
            throw new IllegalArgumentException("verify on " + replicas + " lenders: 0 (the server's"
                    + " default), 1 (off) or 2 to " + Verification.MAX_REPLICAS);
        }
        compare = compare.isEmpty() ? ComparePart.ALL : Set.copyOf(compare);
    }

    /** True when this choice asks for a vote itself (not the server's default, not off). */
    public boolean votes() {
        return replicas >= 2;
    }

    /** The parts as kept in the settings file: {@code exit,stdout}. */
    public String compareText() {
        return ComparePart.text(compare);
    }

    /**
     * The choice kept in the settings file; anything that does not read (a hand-edited file, a
     * newer version's value) gives the default rather than an error.
     */
    public static VerifyChoice fromSettings(int replicas, String compare) {
        if (replicas < 0 || replicas > Verification.MAX_REPLICAS) {
            return DEFAULT;
        }
        try {
            return new VerifyChoice(replicas, compare == null || compare.isBlank() ? ComparePart.ALL
                    : ComparePart.parse(compare));
        } catch (IllegalArgumentException e) {
            return new VerifyChoice(replicas, ComparePart.ALL);
        }
    }

    /** How the choice reads in a tooltip or note: "on 3 lenders, comparing exit code and stdout". */
    public String describe() {
        return switch (replicas) {
            case 0 -> "as the server's default for you";
            case 1 -> "not verified (one lender)";
            default -> "on " + replicas + " lenders, comparing " + VoteTexts.parts(compare);
        };
    }
}
