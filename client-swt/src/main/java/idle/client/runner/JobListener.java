package idle.client.runner;

import idle.shared.model.JobSummary;
import idle.shared.model.StreamKind;

/**
 * Hears one followed job. Called on the connection's reader thread, in order (output chunks in
 * sequence, the terminal state after the last chunk): return quickly and never block on the
 * network. A UI hands each call to its display thread. Every method has an empty default.
 */
public interface JobListener {
    /** A chunk of the job's stdout or stderr, exactly as the script wrote it. */
    default void output(long jobId, StreamKind stream, byte[] data) {
    }

    /** The job's state or details changed (queued, running on a lender, ...). */
    default void stateChanged(JobSummary job) {
    }

    /**
     * The job is being run again (its lender vanished): the output starts over; what was shown
     * before belongs to the abandoned attempt.
     */
    default void restarted(JobSummary job) {
    }

    /** The connection dropped; the job goes on at the server and is re-attached when it is back. */
    default void interrupted(String why) {
    }

    /** Re-attached after a drop; output continues where it stopped, without repeats. */
    default void resumed() {
    }

    /**
     * An output file of the job's current attempt began to arrive at the server: it may be fetched
     * now ({@link RunnerService#fetchFile}), while it still arrives. Heard only while following
     * live, always before {@link #finished}; a retried job announces its new files again.
     */
    default void fileAnnounced(long jobId, idle.shared.model.OutputFileInfo file) {
    }

    /** The job reached a terminal state; nothing follows. */
    default void finished(JobSummary job) {
    }

    /** Following ended without a terminal state (connection closed for good, job not visible). */
    default void failed(Throwable cause) {
    }
}
