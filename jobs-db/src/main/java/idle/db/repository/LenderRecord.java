package idle.db.repository;

import java.util.Objects;

/**
 * One lender account's stored record: how its results fared, the CPU time it served and the
 * credit it earned, its strikes, and whether an admin suspended it. Immutable; {@link #plus}
 * gives the record after a change, with the same arithmetic the database applies
 * ({@link LenderRecordRepository#add}), so a record kept in memory and the stored row agree.
 *
 * <p>Strikes fade: every {@link #FORGIVE_EVERY} agreed results in a row since the last strike
 * forgive one of the strikes before it. {@link #strikes()} is that effective count; the stored
 * {@code strikesAtLastStrike} is the count as it was made at the last strike, and the forgiving
 * is applied (made permanent) when the next strike comes.
 *
 * @param user the lender's account name
 * @param agreed results that agreed with a vote or a spot check
 * @param disagreed results that were outvoted or failed a spot check
 * @param lost attempts lost (the lender died or vanished mid-job)
 * @param unchecked results accepted alone, without a check
 * @param cpuMillis CPU time of all its results and lost attempts, ms, as its lenders reported it
 * @param creditMillis CPU time of its accepted results (agreed and unchecked), ms
 * @param strikesAtLastStrike strikes as counted at the last strike (before later forgiving)
 * @param cleanStreak agreed results since the last strike
 * @param suspended an admin suspended the account: its lenders get no work
 * @param changedAt when the record last changed, ms since the epoch (0: never)
 */
public record LenderRecord(String user, long agreed, long disagreed, long lost, long unchecked,
        long cpuMillis, long creditMillis, long strikesAtLastStrike, long cleanStreak,
        boolean suspended, long changedAt) {
    /** Agreed results in a row, since the last strike, that forgive one strike. */
    public static final int FORGIVE_EVERY = 50;

    public LenderRecord {
        Objects.requireNonNull(user, "user");
    }

    /** A record with nothing in it yet. */
    public static LenderRecord empty(String user) {
        return new LenderRecord(user, 0, 0, 0, 0, 0, 0, 0, 0, false, 0);
    }

    /** The strikes that count now: those of the last strike less those forgiven since. */
    public long strikes() {
        return Math.max(0, strikesAtLastStrike - cleanStreak / FORGIVE_EVERY);
    }

    /** The record after {@code d} (which must be of the same user). */
    public LenderRecord plus(LenderDelta d) {
        if (!d.user().equals(user)) {
            throw new IllegalArgumentException("a delta of " + d.user() + " for " + user);
        }
        long strikesNow = d.disagreed() > 0 ? strikes() + d.disagreed() : strikesAtLastStrike;
        long streak = d.disagreed() > 0 ? d.agreedSinceStrike() : cleanStreak + d.agreed();
        return new LenderRecord(user, agreed + d.agreed(), disagreed + d.disagreed(),
                lost + d.lost(), unchecked + d.unchecked(), cpuMillis + d.cpuMillis(),
                creditMillis + d.creditMillis(), strikesNow, streak, suspended, d.at());
    }

    /** The same record, suspended or not, changed at {@code at}. */
    public LenderRecord withSuspended(boolean v, long at) {
        return new LenderRecord(user, agreed, disagreed, lost, unchecked, cpuMillis,
                creditMillis, strikesAtLastStrike, cleanStreak, v, at);
    }
}
