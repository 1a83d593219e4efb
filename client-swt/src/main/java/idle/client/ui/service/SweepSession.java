package idle.client.ui.service;

import idle.client.runner.SweepListener;
import idle.client.runner.SweepRequest;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import java.util.List;

/**
 * What the workbench does with sweeps in a logged-in session. Every method talks to the server
 * and blocks: call it on a worker thread, never on the UI thread; listeners are called on
 * service threads.
 */
public interface SweepSession {
    /**
     * Submits a sweep and follows it: the listener hears every task's changes. Returns once the
     * server holds every task (the summary says how many, and that no more come).
     *
     * @throws ServiceException NO_LENDERS with the server's reason, LIMIT, or another kind
     */
    SweepSummary submit(SweepRequest request, SweepListener listener) throws ServiceException;

    /** Follows a sweep: its summary now, then every task's state and changes. */
    SweepSummary follow(long sweepId, SweepListener listener) throws ServiceException;

    /** The user's newest sweeps, newest first. */
    List<SweepSummary> sweeps(int limit) throws ServiceException;

    /** Every task of a sweep, by index. */
    List<JobSummary> tasks(long sweepId) throws ServiceException;

    /** Cancels what is left of a sweep; the server's sentence. */
    String cancel(long sweepId) throws ServiceException;
}
