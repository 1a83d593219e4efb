package idle.client.ui;

import idle.client.runner.SweepListener;
import idle.client.runner.SweepRequest;
import idle.client.ui.model.SweepRow;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.ServiceException;
import idle.client.ui.views.SweepsPanel;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.eclipse.swt.widgets.Widget;

/**
 * The workbench's sweeps: submits one from the queue and follows it live in the queue's
 * {@link SweepsPanel} (every task change moves its progress bar), lists the user's sweeps in the
 * history's panel, loads a sweep's tasks when its row is expanded, opens a task's output in an
 * output tab, cancels. Server work runs on {@link Background} workers; every change of a row
 * happens on the UI thread. UI thread only, except the listeners (which hand over to it).
 */
public final class SweepsController implements SweepsPanel.Actions {
    private final Widget owner;
    private final UiThread ui;
    private final Background background;
    private final Sessions sessions;
    private final JobsController jobs;
    private final Consumer<String> status;
    private final Consumer<String> banner;
    /** Sweeps known to this window, by id (followed ones are updated live). */
    private final Map<Long, SweepRow> rows = new HashMap<>();
    private SweepsPanel queuePanel;
    private SweepsPanel historyPanel;
    private Runnable firstSweep = () -> { };

    /**
     * @param status shows a short message in the status line
     * @param banner shows why a sweep was not taken plainly (the queue view's banner)
     */
    public SweepsController(Widget owner, UiThread ui, Background background, Sessions sessions,
            JobsController jobs, Consumer<String> status, Consumer<String> banner) {
        this.owner = Objects.requireNonNull(owner);
        this.ui = ui;
        this.background = background;
        this.sessions = sessions;
        this.jobs = jobs;
        this.status = status;
        this.banner = banner;
    }

    /**
     * The panel in the queue: this session's sweeps, followed live; {@code firstSweep} runs when
     * the first one appears in it.
     */
    public void attachQueue(SweepsPanel panel, Runnable firstSweep) {
        this.queuePanel = panel;
        this.firstSweep = firstSweep;
        ui.every(1000, panel.tree(), panel::tick);
    }

    /** The panel in the history: the user's sweeps as the server lists them. */
    public void attachHistory(SweepsPanel panel) {
        this.historyPanel = panel;
    }

    /** Submits a sweep; its row appears once the server accepted it and then moves live. */
    public void submit(SweepRequest request) {
        ClientSession session;
        try {
            session = sessions.require();
        } catch (ServiceException e) {
            banner.accept("Log in first.");
            return;
        }
        status.accept("Submitting a sweep of " + request.tasks().size() + " tasks of "
                + request.scriptName() + "…");
        SweepListener listener = new SweepListener() {
            @Override
            public void accepted(SweepSummary s) {
                ui.async(owner, () -> live(s));
            }

            @Override
            public void taskChanged(JobSummary t) {
                ui.async(owner, () -> changed(t));
            }
        };
        background.run(owner, () -> session.sweeps().submit(request, listener),
                s -> {
                    // every task is at the server now: the sweep holds them all
                    live(s);
                    status.accept("Sweep " + s.sweepId() + ": " + s.tasks() + " tasks of "
                            + request.scriptName() + " submitted.");
                },
                failure -> {
                    Throwable t = UserMessages.unwrap(failure);
                    banner.accept("The sweep of " + request.scriptName() + " was not accepted: "
                            + UserMessages.describe(t));
                    status.accept("The sweep was not accepted.");
                });
    }

    /** A sweep this window follows: its row in the queue panel. */
    private void live(SweepSummary s) {
        SweepRow row = rows.computeIfAbsent(s.sweepId(), k -> new SweepRow(s));
        row.update(s);
        if (queuePanel != null) {
            firstSweep.run();
            queuePanel.show(row);
            // GTK shows rows added after the tree's last layout only once it is laid out again
            queuePanel.control().getParent().layout(true, true);
        }
    }

    private void changed(JobSummary t) {
        SweepRow row = rows.get(t.sweepId());
        if (row == null || !row.task(t)) {
            return;
        }
        for (SweepsPanel p : panels()) {
            p.taskChanged(row, t);
        }
    }

    private List<SweepsPanel> panels() {
        List<SweepsPanel> l = new ArrayList<>();
        if (queuePanel != null) {
            l.add(queuePanel);
        }
        if (historyPanel != null) {
            l.add(historyPanel);
        }
        return l;
    }

    /** Loads the user's newest sweeps into the history panel. */
    public void reloadHistory() {
        ClientSession session = sessions.current();
        if (session == null || historyPanel == null) {
            return;
        }
        background.run(owner, () -> session.sweeps().sweeps(50), list -> {
            List<SweepRow> shown = new ArrayList<>();
            for (SweepSummary s : list) {
                SweepRow row = rows.get(s.sweepId());
                if (row == null) {
                    row = new SweepRow(s);
                } else {
                    row.update(s);
                }
                shown.add(row);
            }
            historyPanel.setRows(shown);
        }, failure -> status.accept("Could not load the sweeps: "
                + UserMessages.describe(UserMessages.unwrap(failure))));
    }

    @Override
    public void loadTasks(SweepRow row) {
        ClientSession session = sessions.current();
        if (session == null) {
            return;
        }
        background.run(owner, () -> session.sweeps().tasks(row.sweepId()), tasks -> {
            tasks.forEach(row::task);
            for (SweepsPanel p : panels()) {
                p.tasks(row);
            }
        }, failure -> status.accept("Could not load the tasks of sweep " + row.sweepId() + ": "
                + UserMessages.describe(UserMessages.unwrap(failure))));
    }

    @Override
    public void openTask(SweepRow row, JobSummary task) {
        jobs.open(task.jobId(), row.scriptName() + " #" + task.taskIndex());
    }

    @Override
    public void cancel(SweepRow row) {
        ClientSession session = sessions.current();
        if (session == null) {
            return;
        }
        background.run(owner, "Cancel sweep " + row.sweepId(), true,
                () -> session.sweeps().cancel(row.sweepId()), status);
    }

    /** The row of a sweep this window knows, or null (for tests). */
    public SweepRow row(long sweepId) {
        return rows.get(sweepId);
    }
}
