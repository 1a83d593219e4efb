package idle.client.ui.model;

import idle.shared.model.JobSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fans out the server's job state changes to the parts of the workbench that show jobs (queue
 * table, output tabs, history, notifications). UI thread only: publishers hop to the UI thread
 * first.
 */
public final class JobEvents {
    private final List<Consumer<JobSummary>> listeners = new ArrayList<>();

    public void addListener(Consumer<JobSummary> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<JobSummary> listener) {
        listeners.remove(listener);
    }

    public void publish(JobSummary job) {
        for (Consumer<JobSummary> l : List.copyOf(listeners)) {
            l.accept(job);
        }
    }
}
