package idle.client.ui.service;

/** Opens a logged-in session. Blocks; call on a worker thread. */
@FunctionalInterface
public interface SessionOpener {
    /**
     * Connects to {@code server} ("host:port") and logs in.
     *
     * @throws ServiceException UNREACHABLE, BAD_CREDENTIALS, ACCOUNT_DISABLED, THROTTLED, or
     *     CANCELLED when the calling thread was interrupted
     */
    ClientSession open(String server, String user, char[] password) throws ServiceException;
}
