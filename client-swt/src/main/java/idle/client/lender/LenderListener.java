package idle.client.lender;

import idle.shared.model.LenderCredit;

/**
 * Hears what a {@link LenderAgent} does. Called on the agent's background threads (connection
 * reader, job threads), possibly concurrently for different jobs: return quickly; a UI hands each
 * call to its display thread. Every method has an empty default.
 */
public interface LenderListener {
    /** Lending started (or restarted after a reconnect); runners see this machine as {@code pseudonym}. */
    default void started(String pseudonym) {
    }

    /** One line for a person, as the original lender terminal printed (never a runner's name). */
    default void log(String line) {
    }

    /** A job started here. */
    default void jobStarted(long jobId, int attempt, String scriptName, String scriptSha256) {
    }

    /** A job served here ended (also when cancelled or given back). */
    default void jobFinished(ServedJob job) {
    }

    /** The when-idle policy found the owner busy ({@code false}) or the machine idle again. */
    default void availabilityChanged(boolean available, String reason) {
    }

    /**
     * The server told this lender its account's record: credit, results, standing (on lending's
     * start and after each change; see {@link LenderAgent#credit()}). It names no job and no
     * runner.
     */
    default void creditChanged(LenderCredit credit) {
    }

    /** Lending stopped: by request ({@code error == null}) or because of an error. */
    default void stopped(Throwable error) {
    }
}
