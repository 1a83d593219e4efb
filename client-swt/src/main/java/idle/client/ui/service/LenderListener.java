package idle.client.ui.service;

import idle.shared.model.LenderCredit;

/**
 * Receives what this machine's lender does. Called on a service thread, never on the UI thread.
 */
public interface LenderListener {
    /** Lending started; {@code pseudonym} is the name runners see. */
    void started(String pseudonym);

    /** One line for the live log, as the original lender terminal showed. */
    void log(String line);

    /** A job started here. */
    void jobStarted(long jobId, String scriptName);

    /** A job served here ended; {@code cpuMillis} is the CPU time it used. */
    void jobFinished(long jobId, String scriptName, String outcome, long cpuMillis);

    /**
     * The server told this lender its account's record (on start and after each change):
     * credit, results accepted and outvoted, standing; {@link LenderCredit#describe()} gives one
     * line. Empty by default.
     */
    default void creditChanged(LenderCredit credit) {
    }

    /** Lending stopped, by request ({@code error == null}) or because of an error. */
    void stopped(ServiceException error);
}
