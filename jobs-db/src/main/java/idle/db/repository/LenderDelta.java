package idle.db.repository;

import java.util.Objects;

/**
 * What one ended job adds to a lender account's {@link LenderRecord}: counts to add and, when
 * the job brought a strike, the clean streak to restart from. Counts and milliseconds are never
 * negative.
 *
 * @param user the lender's account name
 * @param agreed results that agreed
 * @param disagreed results outvoted or failing a spot check: each one is a strike
 * @param lost attempts lost
 * @param unchecked results accepted without a check
 * @param cpuMillis CPU time of all of them, ms
 * @param creditMillis CPU time of the accepted ones (agreed and unchecked), ms
 * @param agreedSinceStrike when {@code disagreed > 0}: the agreed results that came after the
 *     last of its strikes (the new clean streak); ignored otherwise
 * @param at when, ms since the epoch
 */
public record LenderDelta(String user, long agreed, long disagreed, long lost, long unchecked,
        long cpuMillis, long creditMillis, long agreedSinceStrike, long at) {
    public LenderDelta {
        Objects.requireNonNull(user, "user");
        if (agreed < 0 || disagreed < 0 || lost < 0 || unchecked < 0 || cpuMillis < 0
                || creditMillis < 0 || agreedSinceStrike < 0 || agreedSinceStrike > agreed) {
            throw new IllegalArgumentException("a lender delta counts nothing negative: " + this);
        }
    }

    /**
     * Whether {@link #then} can combine this delta with {@code next} exactly (the record after
     * the combined delta is the record after both): when {@code next} brings no strike, or this
     * one changes no streak (no agreed result, no strike). Otherwise agreed results here would
     * have forgiven strikes before {@code next}'s, which one delta cannot say.
     */
    public boolean combinesWith(LenderDelta next) {
        return next.user.equals(user) && (next.disagreed == 0 || agreed == 0 && disagreed == 0);
    }

    /**
     * This delta followed by {@code next}, as one.
     *
     * @throws IllegalArgumentException unless {@link #combinesWith combinesWith(next)}
     */
    public LenderDelta then(LenderDelta next) {
        if (!combinesWith(next)) {
            throw new IllegalArgumentException("cannot combine " + this + " with " + next);
        }
        // a strike in next restarts the streak there; otherwise next's agreed extend ours
        long since = next.disagreed > 0 ? next.agreedSinceStrike
                : disagreed > 0 ? agreedSinceStrike + next.agreed : 0;
        return new LenderDelta(user, agreed + next.agreed, disagreed + next.disagreed,
                lost + next.lost, unchecked + next.unchecked, cpuMillis + next.cpuMillis,
                creditMillis + next.creditMillis, since, Math.max(at, next.at));
    }
}
