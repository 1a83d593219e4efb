package idle.server.dispatch;

/**
 * The reasons a runner reads in a job's summary, in one place, so the same event is always told
 * the same way (the GUI and tests match on some of them). Stateless.
 */
final class Reasons {
    /** A job its owner cancelled. */
    static final String CANCELLED = "cancelled by its owner";
    /** A job its owner cancelled while it waited in the queue. */
    static final String CANCELLED_BEFORE_RUN = CANCELLED + " before it ran";
    /** A job accepted while every lender that could run it is busy. */
    static final String WAITING = "waiting for a free lender";

    /** A spot check's replica that had not started when the job's only other result came. */
    static final String SPOT_CHECK_NOT_STARTED = "spot check not needed: the job's result came"
            + " before this check started";
    /** A job whose lender's connection ended while it ran. */
    static final String LENDER_DISCONNECTED = "its lender disconnected";
    /** A job its lender handed back with WBL{returnJobs}. */
    static final String LENDER_WITHDREW = "its lender withdrew; re-queued";
    /** A running job found in the database at start. */
    static final String REQUEUED_AFTER_RESTART = "re-queued after a server restart";

    private Reasons() {
    }

    /** A cancelled job whose lender did not confirm the kill in time. */
    static String cancelUnconfirmed(long graceSeconds) {
        return CANCELLED + "; its lender did not confirm the kill within " + graceSeconds + " s";
    }

    /** A lender answered EXF with FLD; the job waits for another. */
    static String refusedByLender(String lenderReason) {
        return "a lender could not start it (" + lenderReason + "); re-queued";
    }

    /** The audit detail of a lender benched for its refusals. */
    static String benched(int refusals, String lastReason, long minutes) {
        return "refused " + refusals + " jobs in a row (last: " + lastReason + "); no jobs for "
                + minutes + " min or until it offers itself again";
    }

    /** An attempt ended without a result and another one follows. */
    static String requeued(String why, int attempts, int maxAttempts) {
        return why + "; re-queued (attempt " + attempts + " of " + maxAttempts + " lost)";
    }

    /** An attempt ended without a result and none is left. */
    static String gaveUp(String why, int attempts) {
        return why + "; gave up after " + attempts + (attempts == 1 ? " attempt" : " attempts");
    }

    /** A running job found at start with no attempts left. */
    static String lostInRestart(int attempts, int maxAttempts) {
        return "the server stopped while it ran and no attempts are left (" + attempts + " of "
                + maxAttempts + ")";
    }

    /** The server could not read a job's input files back to send them. */
    static String inputsLost(String detail) {
        return "the server lost its input files: " + detail;
    }

    /** The server could not read a job's script back from its database to send it. */
    static String scriptLost(String detail) {
        return "the server could not read it back: " + detail;
    }

    /** The server could not move a job's input files into place when it was stored. */
    static String inputsNotStored(String detail) {
        return "the server could not store its input files: " + detail;
    }

    /** The server could not build or send a job's EXF. */
    static String notSendable(String detail) {
        return "the server could not send it to a lender: " + detail;
    }

    /** The database refused to record the start of an attempt. */
    static String notRecorded(RuntimeException e) {
        return "the server could not record its start: " + e.getMessage();
    }

    /** The server stopped a job for its output size. */
    static String outputOverLimit(long maxOutputBytes) {
        return "output exceeded the server's limit of " + Sizes.of(maxOutputBytes) + " per job";
    }

    /** The server could not spool a job's output. */
    static String outputNotStored(String detail) {
        return "the server could not store the output: " + detail;
    }
}
