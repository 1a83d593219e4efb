package idle.shared.model;

import java.util.Objects;

/**
 * A lender account's own record as the server tells its lenders ({@code CRD}): its standing,
 * how its results fared, the CPU time it served and the credit it earned. It names no job and no
 * runner: a lender never learns whose jobs it ran.
 *
 * @param standing where the account stands
 * @param agreed results that agreed with a vote or a spot check
 * @param unchecked results accepted alone, unchecked
 * @param disagreed results outvoted or failing a spot check (each a strike)
 * @param lost attempts lost (the lender went away mid-job)
 * @param strikes strikes that count now (they fade with agreed results)
 * @param cpuMillis CPU time of all its results, ms
 * @param creditMillis CPU time of its accepted (agreed and unchecked) results, ms
 */
public record LenderCredit(LenderStanding standing, long agreed, long unchecked, long disagreed,
        long lost, long strikes, long cpuMillis, long creditMillis) {
    public LenderCredit {
        Objects.requireNonNull(standing, "standing");
        if (agreed < 0 || unchecked < 0 || disagreed < 0 || lost < 0 || strikes < 0
                || cpuMillis < 0 || creditMillis < 0) {
            throw new IllegalArgumentException("a lender's record counts nothing negative");
        }
    }

    /** Results accepted: agreed and unchecked. */
    public long accepted() {
        return agreed + unchecked;
    }

    /**
     * One line for a person: "credit: 1 h 02 min CPU from 37 accepted results; standing:
     * trusted", with the outvoted results when there are any.
     */
    public String describe() {
        return "credit: " + CpuTime.format(creditMillis) + " CPU from " + accepted()
                + (accepted() == 1 ? " accepted result" : " accepted results")
                + (disagreed > 0 ? ", " + disagreed + " outvoted" : "") + "; standing: "
                + standing.word();
    }
}
