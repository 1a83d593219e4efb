package idle.client.ui.service;

import idle.shared.model.JobSummary;
import idle.shared.model.StreamKind;

/**
 * Receives what the server pushes about one followed job. Called on a service thread, never on
 * the UI thread: implementations hand the data to the UI through {@code UiThread}. Calls for one
 * job come in order.
 */
public interface JobListener {
    /** A chunk of output; {@code data} belongs to the listener. */
    void output(long jobId, StreamKind stream, byte[] data);

    /** The job changed state; after a terminal state no further calls come. */
    void state(JobSummary job);

    /** The job restarted on another lender: the output starts again from the beginning. */
    default void restarted(long jobId, int attempt) {
    }

    /** Following failed (connection lost for good, job vanished). No further calls come. */
    default void failed(long jobId, ServiceException error) {
    }
}
