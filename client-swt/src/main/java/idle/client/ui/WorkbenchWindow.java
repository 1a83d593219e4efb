package idle.client.ui;

import idle.client.ui.actions.Commands;
import idle.client.ui.actions.StatusField;
import idle.client.ui.actions.WorkbenchActions;
import idle.client.ui.dialogs.LoginDialog;
import idle.client.ui.model.JobEvents;
import idle.client.ui.model.JobTexts;
import idle.client.ui.model.SessionJobs;
import idle.client.ui.output.JobFeeds;
import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.ConnectionState;
import idle.client.ui.service.SessionOpener;
import idle.client.ui.views.HistoryView;
import idle.client.ui.views.LenderView;
import idle.client.ui.views.OutputTab;
import idle.client.ui.views.OutputTabs;
import idle.client.ui.views.QueueView;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.action.StatusLineManager;
import org.eclipse.jface.action.ToolBarManager;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.jface.window.ApplicationWindow;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.ToolTip;

/**
 * The IDLE workbench window: menu bar, tool bar, status line; the views (Queue, History, Become
 * IDLEr) above the output tabs. Wires the views to the session and restores the saved layout
 * (window bounds, sash weights, view in front, open output tabs). UI thread only.
 */
public final class WorkbenchWindow extends ApplicationWindow implements Commands, ErrorReporter {
    private static final Logger LOG = Logger.getLogger(WorkbenchWindow.class.getName());
    private static final int POOL_POLL_MS = 5000;

    private final UiThread ui;
    private final IdleResources resources;
    private final SettingsStore layout;
    private final SettingsStore remembered;
    private final SessionOpener opener;
    private final Sessions sessions = new Sessions();
    private final SessionJobs jobs = new SessionJobs();
    private final JobEvents events = new JobEvents();
    private final JobFeeds feeds = new JobFeeds();
    private final Background background;
    private final WorkbenchActions actions;
    private final StatusField connectionField = new StatusField("idle.connection", 44);
    private final StatusField lendersField = new StatusField("idle.lenders", 18);
    private final StatusField lendingField = new StatusField("idle.lending", 14);
    private final int retainedChars;
    private final int historyPage;

    private SashForm sash;
    private CTabFolder views;
    private QueueView queue;
    private HistoryView history;
    private LenderView lender;
    private OutputTabs outputs;
    private JobsController controller;
    private ToolTip balloon;
    private boolean polling;
    private LoginDialog loginDialog;

    /**
     * @param layout where the window's layout is kept between runs
     * @param remembered where the last server and user are kept
     * @param retainedChars characters each output tab keeps (older text is trimmed)
     * @param historyPage jobs the history view loads at a time
     */
    public WorkbenchWindow(UiThread ui, IdleResources resources, SettingsStore layout, SettingsStore remembered,
            SessionOpener opener, int retainedChars, int historyPage) {
        super(null);
        this.ui = ui;
        this.resources = resources;
        this.layout = layout;
        this.remembered = remembered;
        this.opener = opener;
        this.retainedChars = retainedChars;
        this.historyPage = historyPage;
        this.background = new Background(ui, this);
        this.actions = new WorkbenchActions(this, resources);
        addMenuBar();
        addToolBar(SWT.FLAT | SWT.RIGHT);
        addStatusLine();
    }

    @Override
    protected MenuManager createMenuManager() {
        return actions.menuBar();
    }

    @Override
    protected ToolBarManager createToolBarManager(int style) {
        return actions.toolBar(style);
    }

    @Override
    protected StatusLineManager createStatusLineManager() {
        StatusLineManager manager = super.createStatusLineManager();
        manager.add(lendingField);
        manager.add(lendersField);
        manager.add(connectionField);
        return manager;
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText("IDLE");
        shell.setImages(new org.eclipse.swt.graphics.Image[] {resources.image(Icons.LEND)});
    }

    @Override
    protected void initializeBounds() {
        super.initializeBounds();
        // Window skips its bounds when the shell was resized while being built (GTK does so):
        // apply the saved (or default) size and place regardless.
        Point size = getInitialSize();
        Point location = getInitialLocation(size);
        getShell().setBounds(getConstrainedShellBounds(new Rectangle(location.x, location.y, size.x, size.y)));
    }

    @Override
    public void create() {
        super.create();
        // After the initial bounds: a resize during configureShell would make Window skip them.
        getShell().setMinimumSize(760, 520);
    }

    @Override
    protected Point getInitialSize() {
        return new Point(layout.getInt("window.width", 1200), layout.getInt("window.height", 820));
    }

    @Override
    protected Point getInitialLocation(Point initialSize) {
        int x = layout.getInt("window.x", Integer.MIN_VALUE);
        int y = layout.getInt("window.y", Integer.MIN_VALUE);
        if (x == Integer.MIN_VALUE || y == Integer.MIN_VALUE) {
            return super.getInitialLocation(initialSize);
        }
        Rectangle screen = ui.display().getClientArea();
        return new Point(Math.max(screen.x, Math.min(x, screen.x + screen.width - 200)),
                Math.max(screen.y, Math.min(y, screen.y + screen.height - 200)));
    }

    @Override
    protected Control createContents(Composite parent) {
        sash = new SashForm(parent, SWT.VERTICAL | SWT.SMOOTH);
        views = new CTabFolder(sash, SWT.BORDER | SWT.FLAT);
        outputs = new OutputTabs(sash, ui, background, sessions, resources, feeds, events, this::notifyFinished,
                retainedChars);
        controller = new JobsController(sash, ui, background, sessions, jobs, feeds, events, this, outputs,
                this::status, message -> queue.showBanner(message));
        queue = new QueueView(views, controller, jobs, ui, resources, background);
        history = new HistoryView(views, controller, background, sessions, resources, events, historyPage);
        lender = new LenderView(views, ui, background, sessions, layout, resources, this::lendingChanged);
        viewTab("Queue", Icons.QUEUE, queue.control());
        viewTab("History", Icons.HISTORY, history.control());
        viewTab("Become IDLEr", Icons.LEND, lender.control());
        views.setSelection(Math.max(0, Math.min(2, layout.getInt("views.selected", 0))));

        int[] weights = layout.getInts("sash.main");
        sash.setWeights(weights.length == 2 && weights[0] > 0 && weights[1] > 0 ? weights : new int[] {56, 44});
        int[] queueWeights = layout.getInts("sash.queue");
        if (queueWeights.length == 2 && queueWeights[0] > 0 && queueWeights[1] > 0) {
            queue.sash().setWeights(queueWeights);
        }
        sessions.addListener(this::sessionChanged);
        sessionChanged(null);
        lendingChanged(false);
        events.addListener(this::jobChanged);
        ui.every(POOL_POLL_MS, sash, this::pollPool);
        return sash;
    }

    private void viewTab(String title, String icon, Control control) {
        CTabItem item = new CTabItem(views, SWT.NONE);
        item.setText(title);
        item.setImage(resources.image(icon));
        item.setControl(control);
    }

    @Override
    protected void handleShellCloseEvent() {
        saveLayout();
        super.handleShellCloseEvent();
    }

    @Override
    public boolean close() {
        if (getShell() != null && !getShell().isDisposed()) {
            saveLayout();
        }
        ClientSession old = sessions.current();
        boolean closed = super.close();
        if (closed && old != null) {
            background.runQuietly("log out", () -> {
                old.close();
                return null;
            });
        }
        if (closed) {
            feeds.clear();
            background.shutdown(3000);
        }
        return closed;
    }

    /** Keeps the window's bounds, sash weights, view in front and open tabs. */
    private void saveLayout() {
        Shell shell = getShell();
        if (shell == null || shell.isDisposed() || sash == null || sash.isDisposed()) {
            return;
        }
        if (!shell.getMaximized()) {
            Rectangle b = shell.getBounds();
            layout.putInt("window.x", b.x);
            layout.putInt("window.y", b.y);
            layout.putInt("window.width", b.width);
            layout.putInt("window.height", b.height);
        }
        layout.putBoolean("window.maximized", shell.getMaximized());
        layout.putInts("sash.main", sash.getWeights());
        layout.putInts("sash.queue", queue.sash().getWeights());
        layout.putInt("views.selected", views.getSelectionIndex());
        layout.putLongs("tabs.open", outputs.openJobIds());
        layout.putLongs("tabs.selected", outputs.selected().map(t -> List.of(t.jobId())).orElse(List.of()));
        background.runQuietly("save the layout", () -> {
            layout.save();
            return null;
        });
    }

    @Override
    public int open() {
        int result = super.open();
        if (layout.getBoolean("window.maximized", false)) {
            getShell().setMaximized(true);
        }
        return result;
    }

    // ---------------------------------------------------------------- session

    /** Uses a logged-in session (from the dialog or scripted login); closes the previous one. */
    public void useSession(ClientSession session) {
        ClientSession old = sessions.set(session);
        if (old != null && old != session) {
            background.runQuietly("log out", () -> {
                old.close();
                return null;
            });
        }
    }

    private void sessionChanged(ClientSession s) {
        actions.logOut.setEnabled(s != null);
        actions.lend.setEnabled(s != null);
        if (s == null) {
            connectionField.set("Not logged in", resources.image(Icons.DOT_GREY), null);
            lendersField.set("Lenders online: –", null, null);
            getShell().setText("IDLE");
            return;
        }
        getShell().setText("IDLE — " + s.user() + " @ " + s.server());
        s.onConnectionChange(state -> ui.async(sash, () -> {
            if (sessions.current() == s) {
                showConnection(s, state);
            }
        }));
        pollPool();
        restoreTabs();
        status("Logged in as " + s.user() + ".");
    }

    private void showConnection(ClientSession s, ConnectionState state) {
        String icon = switch (state) {
            case CONNECTED -> Icons.DOT_GREEN;
            case RECONNECTING -> Icons.DOT_ORANGE;
            case DISCONNECTED -> Icons.DOT_GREY;
        };
        connectionField.set(state.label() + ": " + s.user() + " @ " + s.server(), resources.image(icon),
                "Connection to the IDLE server");
    }

    private void restoreTabs() {
        List<Long> open = layout.getLongs("tabs.open");
        if (open.isEmpty() || outputs.hasTabs()) {
            return;
        }
        List<Long> selected = layout.getLongs("tabs.selected");
        for (long id : open) {
            outputs.open(id, "job " + id, selected.contains(id));
        }
    }

    private void pollPool() {
        ClientSession s = sessions.current();
        if (s == null || polling) {
            return;
        }
        polling = true;
        background.run(sash, () -> s.pool(), pool -> {
            polling = false;
            queue.poolChanged(pool);
            lendersField.set("Lenders online: " + pool.lendersOnline(), null,
                    pool.freeSlots() + " free slots, " + pool.queuedJobs() + " queued, " + pool.runningJobs()
                            + " running; " + pool.modules().size() + " python packages offered by lenders "
                            + "of two or more people");
        }, failure -> {
            polling = false;
            lendersField.set("Lenders online: ?", null, UserMessages.describe(failure));
        });
    }

    private void lendingChanged(boolean on) {
        actions.lend.setChecked(on);
        lendingField.set(on ? "Lending: on" : "Lending: off", resources.image(on ? Icons.DOT_GREEN : Icons.DOT_GREY),
                "Become IDLEr: lend this computer");
        pollPool();
    }

    private void jobChanged(JobSummary job) {
        if (job.state().isTerminal()) {
            pollPool();
        }
    }

    private void notifyFinished(JobSummary job) {
        String text = "Job " + job.jobId() + " (" + job.scriptName() + "): " + JobTexts.outcome(job);
        status(text);
        if (balloon != null && !balloon.isDisposed()) {
            balloon.dispose(); // one notification at a time; its icon is fixed at creation
        }
        balloon = new ToolTip(getShell(), SWT.BALLOON | (job.state() == JobState.SUCCEEDED
                ? SWT.ICON_INFORMATION : SWT.ICON_WARNING));
        balloon.setAutoHide(true);
        balloon.setText(job.state() == JobState.SUCCEEDED ? "Job finished" : "Job ended");
        balloon.setMessage(text);
        Rectangle area = getShell().getClientArea();
        balloon.setLocation(outputs.tabAnchor(job.jobId())
                .orElse(getShell().toDisplay(area.x + area.width / 2, area.y + area.height / 2)));
        balloon.setVisible(true);
    }

    /** Shows a message in the status line. */
    public void status(String message) {
        StatusLineManager sl = getStatusLineManager();
        if (sl != null) {
            sl.setErrorMessage(null);
            sl.setMessage(message);
        }
    }

    // ---------------------------------------------------------------- errors

    @Override
    public void report(String action, Throwable failure, boolean interactive) {
        String message = UserMessages.describe(failure);
        LOG.log(Level.INFO, action + " failed: " + message, UserMessages.unwrap(failure));
        StatusLineManager sl = getStatusLineManager();
        if (sl != null) {
            sl.setErrorMessage(action + ": " + message);
        }
        Shell shell = getShell();
        if (interactive && shell != null && !shell.isDisposed()) {
            MessageDialog.openError(shell, action, message);
        }
    }

    // ---------------------------------------------------------------- commands

    @Override
    public void logIn() {
        logIn(null);
    }

    /**
     * Opens the login dialog (without a nested event loop: the window stays live), with an error
     * to show (e.g. a failed scripted login). The session is used when the dialog closes with OK.
     * Returns the dialog; an open one is brought to front instead of opening another.
     */
    public LoginDialog logIn(String error) {
        if (loginDialog != null && loginDialog.getShell() != null && !loginDialog.getShell().isDisposed()) {
            loginDialog.getShell().forceActive();
            return loginDialog;
        }
        LoginDialog dialog = new LoginDialog(getShell(), opener, background, remembered, resources, error);
        dialog.setBlockOnOpen(false);
        dialog.open();
        loginDialog = dialog;
        dialog.getShell().addListener(SWT.Dispose, e -> {
            if (dialog.getReturnCode() == LoginDialog.OK && dialog.session() != null) {
                useSession(dialog.session());
            }
            if (loginDialog == dialog) {
                loginDialog = null;
            }
        });
        return dialog;
    }

    /** The login dialog while it is open, else null. */
    public LoginDialog loginDialog() {
        return loginDialog;
    }

    @Override
    public void logOut() {
        if (lender.isLending()) {
            lender.setLending(false);
        }
        useSession(null);
        status("Logged out.");
    }

    @Override
    public void addScripts() {
        showView(0);
        queue.addScripts();
    }

    @Override
    public void submit() {
        showView(0);
        queue.submitPending();
    }

    @Override
    public void cancelSelected() {
        if (views.getSelectionIndex() == 0) {
            queue.cancelSelected();
        } else {
            outputs.selected().map(OutputTab::jobId).ifPresent(id -> controller.cancel(List.of(id)));
        }
    }

    @Override
    public void rerunSelected() {
        showView(0);
        queue.rerunSelected();
    }

    @Override
    public void openSelected() {
        if (views.getSelectionIndex() == 1) {
            history.viewer().getStructuredSelection().toList().forEach(o -> {
                JobSummary j = (JobSummary) o;
                controller.open(j.jobId(), j.scriptName());
            });
        } else {
            queue.openSelected();
        }
    }

    @Override
    public void refreshHistory() {
        showView(1);
        history.reload();
    }

    @Override
    public void saveOutput() {
        outputs.selected().ifPresentOrElse(OutputTab::saveOutput, () -> status("No output tab is open."));
    }

    @Override
    public void find() {
        outputs.selected().ifPresentOrElse(OutputTab::showFind, () -> status("No output tab is open."));
    }

    @Override
    public void closeTab() {
        outputs.closeSelected();
    }

    @Override
    public void nextTab() {
        outputs.cycle(1);
    }

    @Override
    public void previousTab() {
        outputs.cycle(-1);
    }

    @Override
    public void showView(int index) {
        views.setSelection(index);
    }

    @Override
    public void setLending(boolean on) {
        showView(2);
        lender.setLending(on);
    }

    @Override
    public void about() {
        MessageDialog.openInformation(getShell(), "About IDLE",
                "IDLE lends the computing power of idle computers.\n\nRunners submit python3 scripts; lenders "
                        + "run them in a sandbox; the server relays scripts, output and files.");
    }

    @Override
    public void quit() {
        close();
    }

    // ---------------------------------------------------------------- for tests and the launcher

    public Sessions sessions() {
        return sessions;
    }

    public QueueView queue() {
        return queue;
    }

    public HistoryView history() {
        return history;
    }

    public LenderView lender() {
        return lender;
    }

    public OutputTabs outputs() {
        return outputs;
    }

    public CTabFolder views() {
        return views;
    }

    public WorkbenchActions actions() {
        return actions;
    }

    public Background background() {
        return background;
    }

    public String statusField(String which) {
        return switch (which) {
            case "connection" -> connectionField.text();
            case "lenders" -> lendersField.text();
            case "lending" -> lendingField.text();
            default -> throw new IllegalArgumentException(which);
        };
    }
}
