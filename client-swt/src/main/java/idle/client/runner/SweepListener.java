package idle.client.runner;

import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;

/**
 * Hears one followed sweep. Called on the connection's reader thread, in order: return quickly
 * and never block on the network. Every method has an empty default.
 */
public interface SweepListener {
    /** The server accepted (or, after a drop, re-attached) the sweep. */
    default void accepted(SweepSummary sweep) {
    }

    /**
     * A task changed state (first heard, running, ended). The same state may be heard twice
     * (after a re-attach); a task's end is heard once through {@link #taskEnded}.
     */
    default void taskChanged(JobSummary task) {
    }

    /** A task ended (once per task). */
    default void taskEnded(JobSummary task) {
    }

    /** The connection dropped; the sweep goes on at the server and is re-attached later. */
    default void interrupted(String why) {
    }
}
