package idle.client.ui;

/**
 * The one error path: every failure the workbench shows goes through here. Implementations log
 * the full failure for developers and show a plain sentence to the user. UI thread only.
 */
public interface ErrorReporter {
    /**
     * Reports a failure of {@code action} (e.g. "Cancel job 12").
     *
     * @param interactive true when the user just asked for it and should be told in a dialog;
     *     false for background work, shown in the status line only
     */
    void report(String action, Throwable failure, boolean interactive);
}
