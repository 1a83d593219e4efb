package idle.shared.model;

/** Where a job's vote stands (see {@link Verification}). Travels as its ordinal: append only. */
public enum VoteState {
    /** The job is not verified: it runs once, on one lender. */
    NONE,
    /** Replicas run, or wait for lenders of different accounts; no majority yet. */
    PENDING,
    /** A strict majority of the results agreed: the job's result is theirs. */
    VERIFIED,
    /** No result reached a strict majority within the server's replica limit. */
    UNVERIFIED
}
