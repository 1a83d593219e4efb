package idle.server.dispatch;

import idle.shared.model.Limit;

/**
 * What the lender's side of one attempt reports to the job's state: everything {@link LenderRun}
 * and {@link Launcher} may do to a job. One listener per attempt, bound to that attempt; once the
 * attempt is no longer current (the job ended, was re-queued or moved on) every call is ignored,
 * so late or duplicate reports are harmless. Thread-safe; no call blocks on I/O.
 */
interface AttemptListener {
    /** Whether this attempt is still the job's current one (output belongs to it). */
    boolean isCurrent();

    /** The lender accepted the EXF: the process starts (its refusal streak ends). */
    void started();

    /**
     * The lender refused the EXF ({@code lenderReason}, already cleaned): the job goes back to
     * the front of its owner's queue without this attempt counting against its attempts (a
     * refusal is the lender's doing, not the job's), or ends CANCELLED when its owner asked. The
     * lender's slot is freed; a lender that refuses {@link LenderHandle#REFUSALS_TO_BENCH} jobs in
     * a row is given none for {@link LenderHandle#BENCH} (audited), so it cannot keep bouncing
     * jobs.
     */
    void refused(String lenderReason);

    /**
     * The lender's connection was found gone when the EXF was to be sent: no more jobs go to
     * it, and this attempt is re-queued as in {@link #requeue}. (Its other jobs are re-queued
     * when its session ends, as for any lender that disconnects.)
     */
    void lenderGone();

    /**
     * The server cannot run this job at all (its inputs are gone, its EXF cannot be built or
     * sent): the job ends FAILED with {@code reason} (CANCELLED if its owner had cancelled it)
     * and the lender's slot is freed. Never re-queued, since every attempt would fail alike.
     */
    void fail(String reason);

    /** The server's own limit was hit: the lender is told to stop, and the job ends with it. */
    void overLimit(Limit limit, String detail);

    /**
     * FIN of this attempt: the job ends as {@code result} says; the lender's FIN is answered
     * with SCF once that end is durable, or at once when the attempt is no longer current.
     */
    void finished(AttemptResult result);
}
