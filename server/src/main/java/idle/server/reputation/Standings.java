package idle.server.reputation;

import idle.db.repository.LenderRecord;
import idle.server.ReputationConfig;
import idle.server.dispatch.LenderTrust.Standing;
import idle.shared.model.LenderStanding;

/**
 * The rule from a lender account's record to its standing. Stateless.
 * <ol>
 * <li>{@code SUSPENDED} when an admin suspended it, whatever its record;
 * <li>{@code REPLICAS_ONLY} when its strikes ({@link LenderRecord#strikes()}, which fade by one
 *     per {@link LenderRecord#FORGIVE_EVERY} agreed results in a row) reach the strike limit;
 * <li>{@code TRUSTED} when its clean streak (agreed results since its last strike) reaches
 *     {@code trustAfter}: a strike restarts the streak, so a failed spot check costs the trust
 *     at once;
 * <li>{@code NEW} otherwise (also an account with no record).
 * </ol>
 */
public final class Standings {
    private Standings() {
    }

    public static Standing of(LenderRecord r, ReputationConfig config) {
        if (r.suspended()) {
            return Standing.SUSPENDED;
        }
        if (r.strikes() >= config.strikeLimit()) {
            return Standing.REPLICAS_ONLY;
        }
        if (r.cleanStreak() >= config.trustAfter()) {
            return Standing.TRUSTED;
        }
        return Standing.NEW;
    }

    /** The word people read: "trusted", "new", "replicas only", "suspended". */
    public static String word(Standing s) {
        return wire(s).word();
    }

    /** The same standing as the wire and the clients name it. */
    public static LenderStanding wire(Standing s) {
        return LenderStanding.valueOf(s.name());
    }
}
