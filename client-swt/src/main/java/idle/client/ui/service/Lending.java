package idle.client.ui.service;

/**
 * Lending this machine ("Become IDLEr"). Methods block and are called on a worker thread.
 */
public interface Lending {
    /**
     * What the sandbox allows and forbids with these limits, in a few plain lines (or why this
     * computer cannot lend safely). May probe the machine: call on a worker.
     */
    String sandboxDescription(LenderSettings settings);

    /** Starts lending with these limits; events go to {@code listener}. */
    void start(LenderSettings settings, LenderListener listener) throws ServiceException;

    /** Stops lending; running jobs are returned to the queue. Idempotent. */
    void stop() throws ServiceException;

    /** True while lending. Does not block. */
    boolean isLending();
}
