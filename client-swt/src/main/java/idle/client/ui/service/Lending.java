package idle.client.ui.service;

/**
 * Lending this machine ("Become IDLEr"). Methods block and are called on a worker thread.
 */
public interface Lending {
    /** What the sandbox allows and forbids, in a few plain lines. Does not block. */
    String sandboxDescription();

    /** Starts lending with these limits; events go to {@code listener}. */
    void start(LenderSettings settings, LenderListener listener) throws ServiceException;

    /** Stops lending; running jobs are returned to the queue. Idempotent. */
    void stop() throws ServiceException;

    /** True while lending. Does not block. */
    boolean isLending();
}
