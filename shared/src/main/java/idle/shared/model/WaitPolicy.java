package idle.shared.model;

/** What a submission wants when lenders exist but all of them are busy. */
public enum WaitPolicy {
    /** Wait in the queue (the default). */
    QUEUE,
    /** Answer {@code NLA} at once instead of queueing. */
    NLA_IF_BUSY
}
