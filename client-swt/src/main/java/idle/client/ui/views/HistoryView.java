package idle.client.ui.views;

import idle.client.ui.Background;
import idle.client.ui.JobsController;
import idle.client.ui.Sessions;
import idle.client.ui.model.JobEvents;
import idle.client.ui.model.JobTexts;
import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerComparator;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.Text;

/**
 * All of the user's past jobs from the server, newest first, loaded a page at a time as the user
 * scrolls to the end; sortable by clicking a column; filtered by state and name on the server;
 * double-click opens a job's output tab. Loading runs on a worker; a newer load supersedes an
 * older one still in flight. UI thread only.
 */
public final class HistoryView {
    /** Jobs asked for per page, by default. */
    public static final int PAGE = 50;

    private final Composite root;
    private final TableViewer viewer;
    private final Combo stateFilter;
    private final Text nameFilter;
    private final Label status;
    private final Button more;
    private final List<JobSummary> rows = new ArrayList<>();
    private final Background background;
    private final Sessions sessions;
    private final IdleResources resources;
    private final int pageSize;
    private final JobsController controller;
    private final Sorter sorter = new Sorter();
    private boolean hasMore;
    private boolean loading;
    private int generation;

    /** @param pageSize jobs asked for at a time */
    public HistoryView(Composite parent, JobsController controller, Background background, Sessions sessions,
            IdleResources resources, JobEvents events, int pageSize) {
        this.controller = controller;
        this.background = background;
        this.sessions = sessions;
        this.pageSize = pageSize;
        this.resources = resources;
        root = new Composite(parent, SWT.NONE);
        root.setLayout(new GridLayout(1, false));

        Composite filters = new Composite(root, SWT.NONE);
        GridLayout fl = new GridLayout(5, false);
        fl.marginWidth = 0;
        fl.marginHeight = 0;
        filters.setLayout(fl);
        filters.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        new Label(filters, SWT.NONE).setText("State:");
        stateFilter = new Combo(filters, SWT.READ_ONLY | SWT.DROP_DOWN);
        stateFilter.add("All states");
        for (JobState s : JobState.values()) {
            stateFilter.add(JobTexts.state(s));
        }
        stateFilter.select(0);
        new Label(filters, SWT.NONE).setText("Name contains:");
        nameFilter = new Text(filters, SWT.BORDER | SWT.SEARCH | SWT.ICON_CANCEL);
        nameFilter.setMessage("script name");
        GridDataFactory.fillDefaults().grab(true, false).hint(200, SWT.DEFAULT).applyTo(nameFilter);
        Button refresh = new Button(filters, SWT.PUSH);
        refresh.setText("Refresh");
        refresh.setImage(resources.image(Icons.REFRESH));
        refresh.setToolTipText("Load the newest jobs again (F5)");

        viewer = new TableViewer(root, SWT.BORDER | SWT.FULL_SELECTION | SWT.MULTI);
        Table table = viewer.getTable();
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        column("Job", 60, j -> Long.toString(j.jobId()), Comparator.comparingLong(JobSummary::jobId), null);
        TableColumn jobColumn = table.getColumn(0);
        column("Script", 160, JobSummary::scriptName, Comparator.comparing(JobSummary::scriptName,
                String.CASE_INSENSITIVE_ORDER), null);
        column("State", 110, j -> JobTexts.state(j.state()), Comparator.comparing(JobSummary::state),
                j -> resources.stateColor(j.state()));
        column("Submitted", 150, j -> JobTexts.time(j.submittedAt()), Comparator.comparingLong(JobSummary::submittedAt), null);
        column("Duration", 75, j -> JobTexts.elapsed(j, System.currentTimeMillis()),
                Comparator.comparingLong(j -> j.durationMillis(System.currentTimeMillis())), null);
        column("Exit code", 80, JobTexts::exitCode, Comparator.comparing(j -> j.exitCode() == null ? Integer.MIN_VALUE
                : j.exitCode()), null);
        sortOn(VoteColumn.add(viewer, JobSummary.class, resources, JobSummary::verification),
                Comparator.comparing((JobSummary j) -> j.verification().state())
                        .thenComparingInt(j -> j.verification().agreeing()));
        column("Lender", 175, JobSummary::lender, Comparator.comparing(JobSummary::lender), null);
        column("Output", 80, j -> JobTexts.bytes(j.outputBytes()), Comparator.comparingLong(JobSummary::outputBytes), null);
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        viewer.setComparator(sorter);
        viewer.setInput(rows);
        sorter.sortBy(jobColumn, Comparator.comparingLong(JobSummary::jobId), SWT.DOWN);

        Composite footer = new Composite(root, SWT.NONE);
        GridLayout ftl = new GridLayout(2, false);
        ftl.marginWidth = 0;
        ftl.marginHeight = 0;
        footer.setLayout(ftl);
        footer.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        status = new Label(footer, SWT.NONE);
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        more = new Button(footer, SWT.PUSH);
        more.setText("Load older jobs");
        more.setEnabled(false);

        refresh.addListener(SWT.Selection, e -> reload());
        stateFilter.addListener(SWT.Selection, e -> reload());
        nameFilter.addListener(SWT.DefaultSelection, e -> {
            typing++; // Enter loads now: forget the pending typing delay
            reload();
        });
        nameFilter.addListener(SWT.Modify, e -> {
            int gen = ++typing;
            root.getDisplay().timerExec(400, () -> {
                if (gen == typing && !root.isDisposed()) {
                    reload();
                }
            });
        });
        more.addListener(SWT.Selection, e -> loadMore());
        table.getVerticalBar().addListener(SWT.Selection, e -> {
            var bar = table.getVerticalBar();
            if (bar.getSelection() + bar.getThumb() >= bar.getMaximum() - 2) {
                loadMore();
            }
        });
        viewer.addDoubleClickListener(e -> {
            for (Object o : viewer.getStructuredSelection().toList()) {
                JobSummary j = (JobSummary) o;
                controller.open(j.jobId(), j.scriptName());
            }
        });
        events.addListener(this::onJob);
        sessions.addListener(s -> {
            if (s != null) {
                reload();
            } else {
                rows.clear();
                viewer.refresh();
                status.setText("Not logged in.");
            }
        });
        status.setText("Not logged in.");
    }

    private int typing;

    private void column(String name, int width, Function<JobSummary, String> text, Comparator<JobSummary> order,
            Function<JobSummary, Color> colour) {
        sortOn(TableColumns.add(viewer, JobSummary.class, name, width, text, colour), order);
    }

    /** Clicking the column's header sorts by {@code order} (again: reversed). */
    private void sortOn(TableViewerColumn c, Comparator<JobSummary> order) {
        c.getColumn().addListener(SWT.Selection, e -> {
            TableColumn col = c.getColumn();
            int dir = viewer.getTable().getSortColumn() == col && viewer.getTable().getSortDirection() == SWT.UP
                    ? SWT.DOWN : SWT.UP;
            sorter.sortBy(col, order, dir);
        });
    }

    /** Sorts by one column; clicking the same column again reverses it. */
    private final class Sorter extends ViewerComparator {
        private Comparator<JobSummary> order = Comparator.comparingLong(JobSummary::jobId).reversed();

        void sortBy(TableColumn column, Comparator<JobSummary> by, int direction) {
            order = direction == SWT.UP ? by : by.reversed();
            viewer.getTable().setSortColumn(column);
            viewer.getTable().setSortDirection(direction);
            viewer.refresh();
        }

        @Override
        public int compare(Viewer v, Object a, Object b) {
            return order.compare((JobSummary) a, (JobSummary) b);
        }
    }

    private SweepsPanel sweepsPanel;

    /**
     * Shows the user's sweeps (one row each, expandable to their tasks) above the jobs; they
     * reload with the jobs.
     */
    public void attachSweeps(idle.client.ui.SweepsController controller) {
        sweepsPanel = new SweepsPanel(root, resources, "Sweeps",
                "one script over many tasks; expand a sweep for its tasks", controller);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(sweepsPanel.control());
        sweepsPanel.control().moveAbove(viewer.getTable());
        controller.attachHistory(sweepsPanel);
        this.sweepsController = controller;
        root.layout(true, true);
    }

    private idle.client.ui.SweepsController sweepsController;

    public SweepsPanel sweepsPanel() {
        return sweepsPanel;
    }

    public Composite control() {
        return root;
    }

    public TableViewer viewer() {
        return viewer;
    }

    public Combo stateFilter() {
        return stateFilter;
    }

    public Text nameFilter() {
        return nameFilter;
    }

    public String statusText() {
        return status.getText();
    }

    /** True when older jobs exist on the server beyond those loaded. */
    public boolean hasMore() {
        return hasMore;
    }

    public boolean isLoading() {
        return loading;
    }

    public List<JobSummary> rows() {
        return List.copyOf(rows);
    }

    /** Loads the newest page again with the current filters. */
    public void reload() {
        if (sweepsController != null) {
            sweepsController.reloadHistory();
        }
        generation++;
        loading = false;
        rows.clear();
        hasMore = false;
        viewer.refresh();
        load(0);
    }

    /** Loads the next older page, if there is one and nothing is loading. */
    public void loadMore() {
        if (!hasMore || loading || rows.isEmpty()) {
            return;
        }
        long oldest = rows.stream().mapToLong(JobSummary::jobId).min().orElse(0);
        load(oldest);
    }

    private void load(long beforeJobId) {
        ClientSession session = sessions.current();
        if (session == null) {
            status.setText("Not logged in.");
            return;
        }
        JobState state = stateFilter.getSelectionIndex() <= 0 ? null : JobState.values()[stateFilter.getSelectionIndex() - 1];
        String name = nameFilter.getText().trim();
        int gen = generation;
        loading = true;
        more.setEnabled(false);
        status.setText("Loading…");
        background.run(root, () -> session.history(state, name.isEmpty() ? null : name, beforeJobId, pageSize), page -> {
            if (gen != generation) {
                return;
            }
            loading = false;
            rows.addAll(page.jobs());
            hasMore = page.more();
            viewer.refresh();
            GtkRows.show(viewer.getTable());
            more.setEnabled(hasMore);
            status.setText(rows.isEmpty() ? "No jobs match." : rows.size() + (rows.size() == 1 ? " job" : " jobs")
                    + (hasMore ? " loaded; older ones load as you scroll down." : "."));
            status.getParent().layout();
        }, failure -> {
            if (gen != generation) {
                return;
            }
            loading = false;
            more.setEnabled(hasMore);
            status.setText("Could not load the history: " + idle.client.ui.UserMessages.describe(failure));
        });
    }

    private void onJob(JobSummary job) {
        if (viewer.getTable().isDisposed()) {
            return; // an event that arrived after the window closed
        }
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).jobId() == job.jobId()) {
                rows.set(i, job);
                viewer.refresh();
                return;
            }
        }
        if (!loading && sessions.current() != null && matches(job)) {
            rows.add(job);
            viewer.refresh();
            GtkRows.show(viewer.getTable());
        }
    }

    private boolean matches(JobSummary job) {
        int idx = stateFilter.getSelectionIndex();
        if (idx > 0 && JobState.values()[idx - 1] != job.state()) {
            return false;
        }
        String name = nameFilter.getText().trim();
        return name.isEmpty() || job.scriptName().toLowerCase().contains(name.toLowerCase());
    }
}
