package idle.client.ui.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The jobs submitted in this session, in submission order, newest last. The queue view's table
 * is bound to it. Changes only on the UI thread; listeners are called there too.
 */
public final class SessionJobs {
    /** What changed. */
    public interface Listener {
        void added(JobRow row);

        void changed(JobRow row);
    }

    private final List<JobRow> rows = new ArrayList<>();
    private final List<Listener> listeners = new ArrayList<>();

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public List<JobRow> rows() {
        return Collections.unmodifiableList(rows);
    }

    public void add(JobRow row) {
        rows.add(row);
        listeners.forEach(l -> l.added(row));
    }

    public void changed(JobRow row) {
        listeners.forEach(l -> l.changed(row));
    }

    public Optional<JobRow> byJobId(long jobId) {
        return rows.stream().filter(r -> r.jobId() == jobId).findFirst();
    }

    /** Updates every row of {@code jobId} and notifies. */
    public void update(long jobId, Consumer<JobRow> change) {
        for (JobRow row : rows) {
            if (row.jobId() == jobId) {
                change.accept(row);
                changed(row);
            }
        }
    }
}
