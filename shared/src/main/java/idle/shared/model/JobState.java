package idle.shared.model;

/** Where a job is in its life. Terminal states never change again. */
public enum JobState {
    /** Stored durably and waiting for a lender with free capacity. */
    QUEUED,
    /** Handed to a lender; its process may be starting, running or sending files. */
    RUNNING,
    /** Ended with exit code 0. */
    SUCCEEDED,
    /** Ended with a non-zero exit code, or the sandbox could not start it. */
    FAILED,
    /** Cancelled by its owner (or an admin). */
    CANCELLED,
    /** Stopped by one of the lender's limits; the job says which one. */
    LIMIT_EXCEEDED,
    /** Its lenders kept disappearing until the retry limit was reached. */
    LOST,
    /**
     * A verified job whose replicas' results reached no strict majority within the server's
     * replica limit; its detail shows the results side by side ({@link JobDetail#replicas}).
     */
    UNVERIFIED;

    public boolean isTerminal() {
        return this != QUEUED && this != RUNNING;
    }
}
