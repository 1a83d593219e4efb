package idle.client.ui;

import idle.client.ui.actions.Commands;
import idle.client.ui.actions.WorkbenchActions;
import idle.client.ui.dialogs.LoginDialog;
import idle.client.ui.model.JobEvents;
import idle.client.ui.model.SessionJobs;
import idle.client.ui.output.JobFeeds;
import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
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
 * IDLEr) above the output tabs. Wires the views to the session and carries out the commands of
 * the menus and keys. Its parts: the actions ({@link WorkbenchActions}), the status line
 * ({@link WorkbenchStatus}), the saved layout ({@link WindowLayout}: window bounds, sash
 * weights, view in front, open output tabs) and the login ({@link LoginFlow}). UI thread only.
 */
public final class WorkbenchWindow extends ApplicationWindow implements Commands, ErrorReporter {
    private static final Logger LOG = Logger.getLogger(WorkbenchWindow.class.getName());

    private final UiThread ui;
    private final IdleResources resources;
    private final SettingsStore layout;
    private final Sessions sessions = new Sessions();
    private final SessionJobs jobs = new SessionJobs();
    private final JobEvents events = new JobEvents();
    private final JobFeeds feeds = new JobFeeds();
    private final Background background;
    private final WorkbenchActions actions;
    private final WorkbenchStatus statusLine;
    private final WindowLayout windowLayout;
    private final LoginFlow login;
    private final int retainedChars;
    private final int historyPage;

    private SashForm sash;
    private CTabFolder views;
    private QueueView queue;
    private HistoryView history;
    private SweepsController sweeps;
    private LenderView lender;
    private OutputTabs outputs;
    private JobsController controller;
    private ToolTip balloon;

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
        this.retainedChars = retainedChars;
        this.historyPage = historyPage;
        this.background = new Background(ui, this);
        this.actions = new WorkbenchActions(this, resources);
        this.statusLine = new WorkbenchStatus(ui, resources, background, sessions, pool -> {
            if (queue != null) {
                queue.poolChanged(pool); // the queue shows whether lenders offer its needs
            }
        });
        this.windowLayout = new WindowLayout(layout, background);
        this.login = new LoginFlow(opener, background, remembered, resources, sessions);
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
        statusLine.contribute(manager);
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
        return windowLayout.initialSize(ui.display().getPrimaryMonitor().getClientArea());
    }

    @Override
    protected Point getInitialLocation(Point initialSize) {
        return windowLayout.initialLocation(ui.display().getClientArea())
                .orElseGet(() -> super.getInitialLocation(initialSize));
    }

    @Override
    protected Control createContents(Composite parent) {
        sash = new SashForm(parent, SWT.VERTICAL | SWT.SMOOTH);
        views = new CTabFolder(sash, SWT.BORDER | SWT.FLAT);
        outputs = new OutputTabs(sash, ui, background, sessions, resources, feeds, events, this::notifyFinished,
                retainedChars);
        controller = new JobsController(sash, ui, background, sessions, jobs, feeds, events, this, outputs,
                this::status, message -> queue.showBanner(message));
        queue = new QueueView(views, controller, jobs, ui, resources, background, layout);
        history = new HistoryView(views, controller, background, sessions, resources, events, historyPage);
        lender = new LenderView(views, ui, background, sessions, layout, resources, this::lendingChanged);
        sweeps = new SweepsController(sash, ui, background, sessions, controller, this::status,
                message -> queue.showBanner(message));
        queue.attachSweeps(sweeps);
        history.attachSweeps(sweeps);
        viewTab("Queue", Icons.QUEUE, queue.control());
        viewTab("History", Icons.HISTORY, history.control());
        viewTab("Become IDLEr", Icons.LEND, lender.control());
        windowLayout.restore(sash, queue.sash(), views);
        statusLine.start(sash);
        sessions.addListener(this::sessionChanged);
        sessionChanged(null);
        lendingChanged(false);
        events.addListener(job -> {
            if (job.state().isTerminal()) {
                statusLine.pollPool();
            }
        });
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
        if (closed) {
            login.logOutLater(old);
            feeds.clear();
            background.shutdown(3000);
        }
        return closed;
    }

    /** Keeps the window's bounds, sash weights, view in front and open tabs. */
    private void saveLayout() {
        Shell shell = getShell();
        if (shell != null && !shell.isDisposed() && sash != null && !sash.isDisposed()) {
            windowLayout.save(shell, sash, queue.sash(), views, outputs);
        }
    }

    @Override
    public int open() {
        int result = super.open();
        if (windowLayout.maximized()) {
            getShell().setMaximized(true);
        }
        return result;
    }

    // ---------------------------------------------------------------- session

    /** Uses a logged-in session (from the dialog or scripted login); closes the previous one. */
    public void useSession(ClientSession session) {
        login.use(session);
    }

    private void sessionChanged(ClientSession s) {
        actions.logOut.setEnabled(s != null);
        actions.lend.setEnabled(s != null);
        getShell().setText(s == null ? "IDLE" : "IDLE — " + s.user() + " @ " + s.server());
        statusLine.sessionChanged(s);
        if (s != null) {
            windowLayout.restoreTabs(outputs);
            status("Logged in as " + s.user() + ".");
        }
    }

    private void lendingChanged(boolean on) {
        actions.lend.setChecked(on);
        statusLine.lendingChanged(on);
    }

    private void notifyFinished(JobSummary job) {
        String text = JobsController.ending(job);
        status(text);
        if (balloon != null && !balloon.isDisposed()) {
            balloon.dispose(); // one notification at a time; its icon is fixed at creation
        }
        balloon = new ToolTip(getShell(), SWT.BALLOON | (job.state() == JobState.SUCCEEDED
                ? SWT.ICON_INFORMATION : SWT.ICON_WARNING));
        balloon.setAutoHide(true);
        balloon.setText(switch (job.verification().state()) {
            case VERIFIED -> job.state() == JobState.SUCCEEDED ? "Job verified" : "Job ended (verified)";
            case UNVERIFIED -> "No majority";
            default -> job.state() == JobState.SUCCEEDED ? "Job finished" : "Job ended";
        });
        balloon.setMessage(text);
        Rectangle area = getShell().getClientArea();
        balloon.setLocation(outputs.tabAnchor(job.jobId())
                .orElse(getShell().toDisplay(area.x + area.width / 2, area.y + area.height / 2)));
        balloon.setVisible(true);
    }

    /** Shows a message in the status line. */
    public void status(String message) {
        statusLine.message(message);
    }

    // ---------------------------------------------------------------- errors

    @Override
    public void report(String action, Throwable failure, boolean interactive) {
        String message = UserMessages.describe(failure);
        LOG.log(Level.INFO, action + " failed: " + message, UserMessages.unwrap(failure));
        statusLine.error(action + ": " + message);
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
        return login.open(getShell(), error);
    }

    /** The login dialog while it is open, else null. */
    public LoginDialog loginDialog() {
        return login.dialog();
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

    public SweepsController sweeps() {
        return sweeps;
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

    /** The colours, fonts and images of this window (to compare a cell's image with). */
    public IdleResources resources() {
        return resources;
    }

    /** The text of a status line field: "connection", "lenders", "lending" or "message" (the last one). */
    public String statusField(String which) {
        return statusLine.field(which);
    }
}
