package idle.shared.model;

import java.util.Objects;
import java.util.Set;

/**
 * A job's vote as its runner sees it, carried in every {@link JobSummary}. A job that is not
 * verified has {@link #NONE}. Lenders appear nowhere here (see {@link ReplicaResult} for their
 * pseudonyms).
 *
 * @param replicas the replicas asked for (N of {@code --verify N}); 1 for a job not verified.
 *     Disagreement may add replicas beyond it: {@code results} may exceed it
 * @param state where the vote stands
 * @param agreeing results in the largest group of equal results so far (the majority once
 *     VERIFIED)
 * @param results results received so far (replicas that ended with a result)
 * @param compared the parts compared (never empty)
 */
public record Verification(int replicas, VoteState state, int agreeing, int results,
        Set<ComparePart> compared) {
    /** Most replicas of one job: the runner's {@code --verify} and the server's cap. */
    public static final int MAX_REPLICAS = 7;
    /** A job that is not verified. */
    public static final Verification NONE = new Verification(1, VoteState.NONE, 0, 0,
            ComparePart.ALL);

    public Verification {
        Objects.requireNonNull(state, "state");
        compared = Set.copyOf(compared);
        if (compared.isEmpty()) {
            throw new IllegalArgumentException("nothing to compare");
        }
        if (replicas < 1 || replicas > MAX_REPLICAS || agreeing < 0 || results < 0
                || agreeing > results || results > MAX_REPLICAS) {
            throw new IllegalArgumentException("bad vote: " + agreeing + " of " + results
                    + " results, " + replicas + " replicas asked");
        }
    }

    /** Whether the job runs as a vote (asked for, or a spot check). */
    public boolean verified() {
        return state != VoteState.NONE;
    }

    /**
     * The vote as a short text for tables: {@code -}, {@code vote 1/2}, {@code 2/2 ✓},
     * {@code 2 of 3}, {@code no majority}.
     */
    public String label() {
        return switch (state) {
            case NONE -> "-";
            case PENDING -> "vote " + results + "/" + replicas;
            case VERIFIED -> agreeing == results ? agreeing + "/" + results + " ✓"
                    : agreeing + " of " + results;
            case UNVERIFIED -> "no majority";
        };
    }
}
