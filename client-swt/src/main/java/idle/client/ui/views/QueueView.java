package idle.client.ui.views;

import idle.client.ui.Background;
import idle.client.ui.JobsController;
import idle.client.ui.SettingsStore;
import idle.client.ui.UiThread;
import idle.client.ui.model.JobRow;
import idle.client.ui.model.JobTexts;
import idle.client.ui.model.NeedsText;
import idle.client.ui.model.PendingScript;
import idle.client.ui.model.SessionJobs;
import idle.client.ui.model.VerifyChoice;
import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import idle.shared.model.PoolStatus;
import idle.shared.model.WaitPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CLabel;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

/**
 * The queue view: scripts to submit (added with a multi-select file dialog or dropped as files),
 * their arguments and input files, and the table of this session's jobs with live state, lender,
 * elapsed time, exit code and a plain note (including the server's NLA reason). UI thread only.
 */
public final class QueueView {
    private final Composite root;
    private final SashForm sash;
    private final TableViewer pendingViewer;
    private final TableViewer jobsViewer;
    private final Text argsText;
    private final Button dontWait;
    private final Button submitButton;
    private final VerifyComposer verify;
    private final CLabel banner;
    private final List<PendingScript> pending = new ArrayList<>();
    private final JobsController controller;
    private final IdleResources resources;
    private final Background background;
    private boolean updatingArgs;
    /** The pool's aggregated view, as last polled; null until then. */
    private PoolStatus pool;

    /** @param settings where the composer's choices (verification) are kept between runs */
    public QueueView(Composite parent, JobsController controller, SessionJobs jobs, UiThread ui,
            IdleResources resources, Background background, SettingsStore settings) {
        this.controller = controller;
        this.resources = resources;
        this.background = background;
        root = new Composite(parent, SWT.NONE);
        GridLayout rl = new GridLayout(1, false);
        rl.marginWidth = 4;
        rl.marginHeight = 4;
        root.setLayout(rl);

        banner = new CLabel(root, SWT.NONE);
        banner.setBackground(resources.warningBackground());
        banner.setForeground(resources.warningForeground());
        banner.setImage(resources.image(Icons.WARNING));
        banner.setToolTipText("Click to dismiss");
        banner.addListener(SWT.MouseUp, e -> hideBanner());
        GridDataFactory.fillDefaults().grab(true, false).exclude(true).applyTo(banner);
        banner.setVisible(false);

        sash = new SashForm(root, SWT.VERTICAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));

        // --- scripts to queue ---
        Composite top = new Composite(sash, SWT.NONE);
        GridLayout tl = new GridLayout(1, false);
        tl.marginWidth = 0;
        tl.marginHeight = 2;
        top.setLayout(tl);
        Composite pendingHead = header(top, "Scripts to queue", "add python3 scripts, or drop .py files on the list");
        button(pendingHead, "Add scripts…", Icons.ADD, "Choose python3 scripts (Ctrl+O)", this::addScripts);
        button(pendingHead, "Add input files…", null, "Input files for the selected scripts (all when none is selected)",
                this::addInputs);
        button(pendingHead, "Remove", null, "Remove the selected scripts from this list", this::removeSelected);
        button(pendingHead, "Run as sweep…", null, "Run the selected script as many tasks: one per "
                + "parameter line, per input file, or N times", this::sweepSelected);
        pendingViewer = new TableViewer(top, SWT.BORDER | SWT.FULL_SELECTION | SWT.MULTI);
        pendingViewer.getTable().setHeaderVisible(true);
        pendingViewer.getTable().setLinesVisible(true);
        GridDataFactory.fillDefaults().grab(true, true).hint(400, 3 * pendingViewer.getTable().getItemHeight()
                + pendingViewer.getTable().getHeaderHeight()).applyTo(pendingViewer.getTable());
        column(pendingViewer, "Script", 180, p -> ((PendingScript) p).script().getFileName().toString(), null);
        column(pendingViewer, "Folder", 260, p -> String.valueOf(((PendingScript) p).script().getParent()), null);
        column(pendingViewer, "Arguments", 200, p -> ((PendingScript) p).args(), null);
        column(pendingViewer, "Input files", 200, p -> names(((PendingScript) p).inputs()), null);
        column(pendingViewer, "Needs", 320, p -> NeedsText.of(((PendingScript) p).needs(), pool),
                p -> NeedsText.anyMissing(((PendingScript) p).needs(), pool) ? resources.failure()
                        : null);
        pendingViewer.getTable().getColumn(pendingViewer.getTable().getColumnCount() - 1)
                .setToolTipText(NeedsText.explanation());
        pendingViewer.setContentProvider(ArrayContentProvider.getInstance());
        pendingViewer.setInput(pending);

        verify = new VerifyComposer(top, settings, background);
        Composite options = new Composite(top, SWT.NONE);
        GridLayout ol = new GridLayout(4, false);
        ol.marginWidth = 0;
        ol.marginHeight = 0;
        options.setLayout(ol);
        options.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        new Label(options, SWT.NONE).setText("Arguments:");
        argsText = new Text(options, SWT.BORDER);
        argsText.setMessage("for the selected scripts, e.g. --size 10 \"two words\"");
        argsText.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        dontWait = new Button(options, SWT.CHECK);
        dontWait.setText("Don't queue when every lender is busy");
        dontWait.setToolTipText("Ask the server to refuse (NLA) instead of waiting for a free lender");
        submitButton = new Button(options, SWT.PUSH);
        submitButton.setText("Submit all");
        submitButton.setImage(resources.image(Icons.SUBMIT));
        submitButton.setFont(resources.bold());
        submitButton.setToolTipText("Submit the scripts in this list (Ctrl+Enter)");
        submitButton.addListener(SWT.Selection, e -> submitPending());

        argsText.addListener(SWT.Modify, e -> {
            if (updatingArgs) {
                return;
            }
            for (PendingScript p : selectedPending(true)) {
                p.setArgs(argsText.getText());
            }
            pendingViewer.refresh();
        });
        pendingViewer.addSelectionChangedListener(e -> {
            List<PendingScript> sel = selectedPending(false);
            updatingArgs = true;
            argsText.setText(sel.isEmpty() ? "" : sel.get(0).args());
            updatingArgs = false;
        });
        addDropSupport();

        // --- this session's jobs ---
        Composite bottom = new Composite(sash, SWT.NONE);
        GridLayout bl = new GridLayout(1, false);
        bl.marginWidth = 0;
        bl.marginHeight = 2;
        bottom.setLayout(bl);
        Composite jobsHead = header(bottom, "Jobs of this session", "double-click a job to see its output");
        button(jobsHead, "Open output", Icons.OUTPUT, "Show the output of the selected jobs", this::openSelected);
        button(jobsHead, "Cancel", Icons.CANCEL, "Cancel the selected jobs (Ctrl+Shift+X)", this::cancelSelected);
        button(jobsHead, "Re-run", Icons.RERUN, "Submit the selected jobs' scripts again (Ctrl+Shift+R)", this::rerunSelected);
        jobsViewer = new TableViewer(bottom, SWT.BORDER | SWT.FULL_SELECTION | SWT.MULTI);
        jobsViewer.getTable().setHeaderVisible(true);
        jobsViewer.getTable().setLinesVisible(true);
        GridDataFactory.fillDefaults().grab(true, true).hint(400, 80).applyTo(jobsViewer.getTable());
        column(jobsViewer, "Job", 60, r -> ((JobRow) r).jobId() == 0 ? "" : Long.toString(((JobRow) r).jobId()), null);
        column(jobsViewer, "Script", 150, r -> ((JobRow) r).scriptName(), null);
        column(jobsViewer, "State", 110, r -> stateText((JobRow) r), r -> stateColor((JobRow) r));
        column(jobsViewer, "Lender", 175, r -> ((JobRow) r).summary() == null ? "" : ((JobRow) r).summary().lender(), null);
        column(jobsViewer, "Elapsed", 75, r -> JobTexts.elapsed(((JobRow) r).summary(), System.currentTimeMillis()), null);
        column(jobsViewer, "Exit code", 80, r -> JobTexts.exitCode(((JobRow) r).summary()), null);
        VoteColumn.add(jobsViewer, JobRow.class, resources, JobRow::vote);
        column(jobsViewer, "Note", 400, r -> ((JobRow) r).note(), null);
        jobsViewer.setContentProvider(ArrayContentProvider.getInstance());
        jobsViewer.setInput(jobs.rows());
        jobsViewer.addDoubleClickListener(e -> openSelected());

        sash.setWeights(50, 50);
        jobs.addListener(new SessionJobs.Listener() {
            @Override
            public void added(JobRow row) {
                if (jobsViewer.getTable().isDisposed()) {
                    return;
                }
                jobsViewer.add(row);
                jobsViewer.reveal(row);
            }

            @Override
            public void changed(JobRow row) {
                if (!jobsViewer.getTable().isDisposed()) { // events may arrive after the window closed
                    jobsViewer.update(row, null);
                }
            }
        });
        ui.every(1000, jobsViewer.getTable(), this::refreshElapsed);
    }

    private static String names(List<Path> paths) {
        return String.join(", ", paths.stream().map(p -> p.getFileName().toString()).toList());
    }

    private static String stateText(JobRow r) {
        return switch (r.phase()) {
            case SUBMITTING -> "Submitting…";
            case REJECTED -> "Not accepted";
            case ERROR -> "Not submitted";
            case ACCEPTED -> JobTexts.state(r.summary().state());
        };
    }

    private Color stateColor(JobRow r) {
        return switch (r.phase()) {
            case SUBMITTING -> null;
            case REJECTED, ERROR -> resources.failure();
            case ACCEPTED -> resources.stateColor(r.summary().state());
        };
    }

    private void refreshElapsed() {
        for (JobRow row : controller.jobs().rows()) {
            if (row.summary() != null && row.summary().startedAt() != 0 && !row.isDone()) {
                jobsViewer.update(row, null);
            }
        }
    }

    private static void column(TableViewer viewer, String name, int width, Function<Object, String> text,
            Function<Object, Color> colour) {
        TableColumns.add(viewer, Object.class, name, width, text, colour);
    }

    private Composite header(Composite parent, String title, String hint) {
        return SectionHeader.create(parent, resources, title, hint);
    }

    private Button button(Composite parent, String text, String icon, String tip, Runnable action) {
        return SectionHeader.button(parent, resources, text, icon, tip, action);
    }

    private void addDropSupport() {
        ScriptDrop.install(pendingViewer.getTable(), this::addScripts);
    }

    public Composite control() {
        return root;
    }

    public SashForm sash() {
        return sash;
    }

    public TableViewer jobsViewer() {
        return jobsViewer;
    }

    public TableViewer pendingViewer() {
        return pendingViewer;
    }

    public Text argsText() {
        return argsText;
    }

    /** The verification choice for the scripts submitted next. */
    public VerifyComposer verifyComposer() {
        return verify;
    }

    /** Opens the multi-select file dialog for scripts. */
    public void addScripts() {
        FileDialog dialog = new FileDialog(root.getShell(), SWT.OPEN | SWT.MULTI);
        dialog.setText("Add python3 scripts");
        dialog.setFilterNames(new String[] {"Python scripts (*.py)", "All files"});
        dialog.setFilterExtensions(new String[] {"*.py", "*"});
        if (dialog.open() != null) {
            Path dir = Path.of(dialog.getFilterPath());
            addScripts(Arrays.stream(dialog.getFileNames()).map(dir::resolve).toList());
        }
    }

    /** Adds scripts to the list (dropped or chosen); folders and duplicates are skipped. */
    public void addScripts(List<Path> scripts) {
        List<PendingScript> added = new ArrayList<>();
        for (Path p : scripts) {
            Path abs = p.toAbsolutePath().normalize();
            if (Files.isDirectory(abs) || pending.stream().anyMatch(x -> x.script().equals(abs))) {
                continue;
            }
            PendingScript ps = new PendingScript(abs);
            pending.add(ps);
            added.add(ps);
            readNeeds(ps);
        }
        pendingViewer.refresh();
        if (!added.isEmpty()) {
            pendingViewer.setSelection(new org.eclipse.jface.viewers.StructuredSelection(added));
        }
    }

    private void addInputs() {
        FileDialog dialog = new FileDialog(root.getShell(), SWT.OPEN | SWT.MULTI);
        dialog.setText("Add input files");
        if (dialog.open() != null) {
            Path dir = Path.of(dialog.getFilterPath());
            addInputs(Arrays.stream(dialog.getFileNames()).map(dir::resolve).toList());
        }
    }

    /** Adds input files to the selected scripts (all when none is selected). */
    public void addInputs(List<Path> files) {
        for (PendingScript p : selectedPending(true)) {
            p.addInputs(files);
            readNeeds(p); // an input x.py is the script's own module x, not a need
        }
        pendingViewer.refresh();
    }

    /** Reads the script's needs on a worker; the row shows them when they are known. */
    private void readNeeds(PendingScript ps) {
        Path script = ps.script();
        List<Path> inputs = List.copyOf(ps.inputs());
        background.run(pendingViewer.getTable(), () -> PendingScript.readNeeds(script, inputs),
                needs -> {
                    ps.setNeeds(needs);
                    pendingViewer.refresh(ps);
                }, failure -> {
                    ps.setNeeds(List.of());
                    pendingViewer.refresh(ps);
                });
    }

    /** The pool's view changed (polled by the window): the needs column shows it. */
    public void poolChanged(PoolStatus status) {
        this.pool = status;
        if (!pendingViewer.getTable().isDisposed()) {
            pendingViewer.refresh();
        }
    }

    private void removeSelected() {
        pending.removeAll(selectedPending(false));
        pendingViewer.refresh();
    }

    private List<PendingScript> selectedPending(boolean allWhenNone) {
        IStructuredSelection sel = pendingViewer.getStructuredSelection();
        List<PendingScript> out = new ArrayList<>();
        for (Object o : sel.toList()) {
            out.add((PendingScript) o);
        }
        return out.isEmpty() && allWhenNone ? new ArrayList<>(pending) : out;
    }

    /** Submits every script in the list and clears it. Returns false when the list is empty. */
    public boolean submitPending() {
        if (pending.isEmpty()) {
            showBanner("Add python3 scripts first: “Add scripts…”, or drop .py files on the list.");
            return false;
        }
        hideBanner();
        WaitPolicy policy = dontWait.getSelection() ? WaitPolicy.NLA_IF_BUSY : WaitPolicy.QUEUE;
        VerifyChoice choice = verify.choice();
        controller.submit(pending.stream().map(p -> p.toRequest(policy, choice)).toList());
        pending.clear();
        pendingViewer.refresh();
        argsText.setText("");
        return true;
    }

    public List<JobRow> selectedJobs() {
        List<JobRow> out = new ArrayList<>();
        for (Object o : jobsViewer.getStructuredSelection().toList()) {
            out.add((JobRow) o);
        }
        return out;
    }

    public void openSelected() {
        for (JobRow r : selectedJobs()) {
            if (r.jobId() != 0) {
                controller.open(r.jobId(), r.scriptName());
            }
        }
    }

    public void cancelSelected() {
        List<Long> ids = selectedJobs().stream().filter(JobRow::isCancellable).map(JobRow::jobId).toList();
        if (!ids.isEmpty()) {
            controller.cancel(ids);
        }
    }

    public void rerunSelected() {
        List<JobRow> rows = selectedJobs();
        if (!rows.isEmpty()) {
            controller.rerun(rows);
        }
    }

    // ---- sweeps (issue 15): their panel above this session's jobs, made from a pending script --

    private idle.client.ui.SweepsController sweeps;
    private SweepsPanel sweepsPanel;

    /**
     * Shows this session's sweeps above its jobs (widgets made with the window: GTK did not draw
     * the rows of a tree made or shown later) and lets "Run as sweep…" submit through
     * {@code controller}; with the first sweep the lists below get more room.
     */
    public void attachSweeps(idle.client.ui.SweepsController controller) {
        this.sweeps = controller;
        Composite bottom = jobsViewer.getTable().getParent();
        sweepsPanel = new SweepsPanel(bottom, resources, "Sweeps of this session",
                "expand a sweep for its tasks; double-click a task for its output", controller);
        // Its own height until the first sweep, so this session's jobs keep the room.
        GridData sweepsData = GridDataFactory.fillDefaults().grab(true, false).create();
        sweepsPanel.control().setLayoutData(sweepsData);
        var tree = sweepsPanel.tree();
        GridData treeData = (GridData) tree.getLayoutData();
        int treeRows = treeData.heightHint;
        treeData.heightHint = tree.getHeaderHeight() + tree.getItemHeight(); // a hint of a table, no more
        sweepsPanel.control().moveAbove(bottom.getChildren()[0]);
        controller.attachQueue(sweepsPanel, () -> {
            if (!roomForSweeps) {
                roomForSweeps = true;
                sweepsData.grabExcessVerticalSpace = true;
                treeData.heightHint = treeRows;
                sash.setWeights(30, 70);
                bottom.layout(true, true);
            }
        });
    }

    private boolean roomForSweeps;

    public SweepsPanel sweepsPanel() {
        return sweepsPanel;
    }

    private void sweepSelected() {
        List<PendingScript> sel = selectedPending(false);
        if (sel.isEmpty() && pending.size() == 1) {
            sel = List.of(pending.get(0));
        }
        if (sel.size() != 1) {
            showBanner("Select the one script to run as a sweep.");
            return;
        }
        PendingScript p = sel.get(0);
        var dialog = new idle.client.ui.dialogs.SweepDialog(root.getShell(),
                p.script().getFileName().toString(), p.inputs().size());
        if (dialog.open() == org.eclipse.jface.window.Window.OK) {
            submitSweep(p, dialog.mode(), dialog.params(), dialog.repeat());
        }
    }

    /**
     * Submits {@code p} as a sweep made as {@code mode} says (see
     * {@link idle.client.ui.model.SweepDraft}) and takes it off the list.
     */
    public void submitSweep(PendingScript p, idle.client.ui.model.SweepDraft.Mode mode,
            Path params, int repeat) {
        if (sweeps == null) {
            return;
        }
        WaitPolicy policy = dontWait.getSelection() ? WaitPolicy.NLA_IF_BUSY : WaitPolicy.QUEUE;
        idle.client.runner.SweepRequest request;
        try {
            request = idle.client.ui.model.SweepDraft.build(p, mode, params, repeat, policy);
        } catch (java.io.IOException | IllegalArgumentException e) {
            showBanner("Not a sweep: " + e.getMessage());
            return;
        }
        hideBanner();
        sweeps.submit(request);
        pending.remove(p);
        pendingViewer.refresh();
    }

    /** Shows a message plainly above the tables (NLA reasons, hints). */
    public void showBanner(String message) {
        banner.setText(message);
        banner.setVisible(true);
        ((GridData) banner.getLayoutData()).exclude = false;
        root.layout(true, true);
    }

    public void hideBanner() {
        if (banner.getVisible()) {
            banner.setVisible(false);
            ((GridData) banner.getLayoutData()).exclude = true;
            root.layout(true, true);
        }
    }

    public String bannerText() {
        return banner.getVisible() ? banner.getText() : "";
    }
}
