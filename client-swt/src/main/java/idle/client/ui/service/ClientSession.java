package idle.client.ui.service;

import idle.shared.message.Result.JobAccepted;
import idle.shared.message.Result.JobPage;
import idle.shared.model.JobDetail;
import idle.shared.model.JobState;
import idle.shared.model.PoolStatus;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What the workbench needs from a logged-in session of the client services. Every method that
 * talks to the server or the disk blocks and must be called on a worker thread, never on the UI
 * thread; listeners are called on service threads.
 */
public interface ClientSession extends AutoCloseable {
    /** The server address as the user typed it. */
    String server();

    /** The logged-in user's name. */
    String user();

    /** Registers a listener for connection changes and calls it once with the current state. */
    void onConnectionChange(Consumer<ConnectionState> listener);

    /**
     * Submits a script and follows it: the listener gets its output and state changes.
     *
     * @return the server's acceptance: job id, state (queued or running) and a note
     * @throws ServiceException {@link ServiceException.Kind#NO_LENDERS} with the server's reason
     *     when it answered NLA, or another kind
     */
    JobAccepted submit(SubmitRequest request, JobListener listener) throws ServiceException;

    /** Follows a job from the start of its output (replays what the server keeps, then live). */
    Following follow(long jobId, JobListener listener) throws ServiceException;

    /** One page of the user's jobs, newest first; {@code beforeJobId} 0 for the newest. */
    JobPage history(JobState state, String nameContains, long beforeJobId, int limit)
            throws ServiceException;

    /** One job's details (files, args, CPU). */
    JobDetail detail(long jobId) throws ServiceException;

    /** Cancels a queued or running job. */
    void cancel(long jobId) throws ServiceException;

    /** Downloads one output file of a job to {@code target} (checked against its SHA-256). */
    void saveOutputFile(long jobId, String name, Path target) throws ServiceException;

    /** Writes the complete output of a job (stdout and stderr as stored) to {@code target}. */
    void saveOutput(long jobId, Path target) throws ServiceException;

    /** The pool at a glance. */
    PoolStatus pool() throws ServiceException;

    /** Lending this machine through this session's server. */
    Lending lending();

    /** Sweeps through this session (one script, many tasks). */
    default SweepSession sweeps() {
        throw new UnsupportedOperationException("this session has no sweeps");
    }

    /** Logs out and closes the connection. Idempotent; does not throw. */
    @Override
    void close();
}
