package idle.client.ui.views;

import idle.client.ui.Background;
import idle.client.ui.Sessions;
import idle.client.ui.UiThread;
import idle.client.ui.model.JobEvents;
import idle.client.ui.output.FeedListener;
import idle.client.ui.output.JobFeed;
import idle.client.ui.output.JobFeeds;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.shared.model.JobSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabFolder2Adapter;
import org.eclipse.swt.custom.CTabFolderEvent;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.custom.StackLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;

/**
 * The output area: a {@link CTabFolder} with one closable tab per opened job (an empty-state
 * hint when none is open). Opening a job whose output this session already receives takes that
 * feed; otherwise the job is followed from the beginning of its output. UI thread only.
 */
public final class OutputTabs {
    private final Composite root;
    private final StackLayout stack;
    private final Composite empty;
    private final CTabFolder folder;
    private final Map<Long, CTabItem> items = new LinkedHashMap<>();
    private final Map<Long, OutputTab> tabs = new LinkedHashMap<>();
    private final UiThread ui;
    private final Background background;
    private final Sessions sessions;
    private final IdleResources resources;
    private final JobFeeds feeds;
    private final JobEvents events;
    private final JobNotifier notifier;
    private final int retainedChars;

    public OutputTabs(Composite parent, UiThread ui, Background background, Sessions sessions,
            IdleResources resources, JobFeeds feeds, JobEvents events, JobNotifier notifier,
            int retainedChars) {
        this.ui = ui;
        this.background = background;
        this.sessions = sessions;
        this.resources = resources;
        this.feeds = feeds;
        this.events = events;
        this.notifier = notifier;
        this.retainedChars = retainedChars;
        root = new Composite(parent, SWT.NONE);
        stack = new StackLayout();
        root.setLayout(stack);
        empty = new Composite(root, SWT.NONE);
        empty.setLayout(new GridLayout(1, false));
        Label hint = new Label(empty, SWT.CENTER | SWT.WRAP);
        hint.setText("No output open.\nSubmitted jobs open here; double-click a job in the Queue or "
                + "History to see its output.");
        hint.setForeground(resources.note());
        hint.setLayoutData(new GridData(SWT.CENTER, SWT.CENTER, true, true));
        folder = new CTabFolder(root, SWT.BORDER | SWT.CLOSE | SWT.FLAT);
        folder.setMaximizeVisible(false);
        folder.setMinimizeVisible(false);
        folder.setUnselectedCloseVisible(false);
        folder.setMRUVisible(true);
        folder.addCTabFolder2Listener(new CTabFolder2Adapter() {
            @Override
            public void close(CTabFolderEvent event) {
                forget((CTabItem) event.item);
            }
        });
        folder.addListener(SWT.Selection, e -> markSeen(folder.getSelection()));
        events.addListener(this::onJob);
        showStack();
    }

    public Composite control() {
        return root;
    }

    public CTabFolder folder() {
        return folder;
    }

    /** Opens (or brings to front) the tab of a job. */
    public OutputTab open(long jobId, String scriptName, boolean select) {
        CTabItem item = items.get(jobId);
        if (item == null) {
            JobFeed feed = feeds.get(jobId);
            boolean followAnew = feed == null || !feed.claim();
            FeedListener listener = null;
            if (followAnew) {
                listener = new FeedListener(feeds, ui, events);
                feed = feeds.replace(jobId, listener);
                feed.claim();
            }
            item = new CTabItem(folder, SWT.CLOSE);
            OutputTab tab = new OutputTab(folder, jobId, scriptName, feed, retainedChars, ui, background,
                    sessions, resources);
            item.setControl(tab.control());
            item.setData(tab);
            items.put(jobId, item);
            tabs.put(jobId, tab);
            label(item, tab.summary());
            if (followAnew) {
                follow(jobId, feed, listener);
            }
            showStack();
        }
        if (select || folder.getSelection() == null) {
            folder.setSelection(item);
            markSeen(item);
        }
        return tabs.get(jobId);
    }

    /** Opens the tab of a job this session just submitted (its end will be notified). */
    public OutputTab openSubmitted(long jobId, String scriptName, boolean select) {
        OutputTab tab = open(jobId, scriptName, select);
        if (!tab.summary().state().isTerminal()) {
            tab.markJustSubmitted();
        } else if (!tab.sawItRunning() && items.get(jobId) != null && folder.getSelection() != items.get(jobId)) {
            // It ended before its tab existed: still news for the one who just submitted it.
            tab.markJustSubmitted();
            notifyEnd(items.get(jobId), tab.summary());
        }
        return tab;
    }

    private void follow(long jobId, JobFeed feed, FeedListener listener) {
        ClientSession session = sessions.current();
        if (session == null) {
            feed.buffer().note("— not logged in: log in to see this job's output —");
            return;
        }
        background.run(root, "Follow the output of job " + jobId, false,
                () -> session.follow(jobId, listener), feed::setFollowing);
    }

    private void onJob(JobSummary job) {
        CTabItem item = items.get(job.jobId());
        if (item == null || item.isDisposed()) {
            return;
        }
        OutputTab tab = tabs.get(job.jobId());
        boolean wasTerminal = tab.summary().state().isTerminal();
        boolean news = tab.sawItRunning();
        tab.update(job);
        label(item, tab.summary());
        // Only an end seen happening is news; replaying a job that had ended long ago is not.
        if (job.state().isTerminal() && !wasTerminal && news) {
            notifyEnd(item, job);
        }
    }

    private void notifyEnd(CTabItem item, JobSummary job) {
        boolean inFront = folder.getSelection() == item && root.getShell().isVisible()
                && root.getDisplay().getActiveShell() == root.getShell();
        if (!inFront) {
            item.setFont(resources.bold());
            item.setData("unseen", Boolean.TRUE);
            notifier.finishedOutOfSight(job);
        }
    }

    private void label(CTabItem item, JobSummary s) {
        item.setText("#" + s.jobId() + " " + s.scriptName());
        item.setToolTipText(s.scriptName() + " (job " + s.jobId() + ")");
        item.setImage(resources.image(OutputTab.icon(s)));
    }

    private void markSeen(CTabItem item) {
        if (item != null && item.getData("unseen") != null) {
            item.setData("unseen", null);
            item.setFont(null);
        }
    }

    private void forget(CTabItem item) {
        OutputTab tab = (OutputTab) item.getData();
        items.remove(tab.jobId());
        tabs.remove(tab.jobId());
        tab.dispose();
        ui.async(root, this::showStack);
    }

    private void showStack() {
        stack.topControl = items.isEmpty() ? empty : folder;
        root.layout(true, true);
    }

    /** The tab in front, if any. */
    public Optional<OutputTab> selected() {
        CTabItem item = folder.getSelection();
        return item == null ? Optional.empty() : Optional.of((OutputTab) item.getData());
    }

    public Optional<OutputTab> tab(long jobId) {
        return Optional.ofNullable(tabs.get(jobId));
    }

    /** Where on the screen the tab of a job is (its bottom centre), to point a notification at. */
    public Optional<org.eclipse.swt.graphics.Point> tabAnchor(long jobId) {
        CTabItem item = items.get(jobId);
        if (item == null || item.isDisposed() || !item.isShowing()) {
            return Optional.empty();
        }
        var b = item.getBounds();
        return Optional.of(folder.toDisplay(b.x + b.width / 2, b.y + b.height));
    }

    public boolean isUnseen(long jobId) {
        CTabItem item = items.get(jobId);
        return item != null && item.getData("unseen") != null;
    }

    public void closeSelected() {
        CTabItem item = folder.getSelection();
        if (item != null) {
            forget(item);
            item.dispose();
        }
    }

    public void closeAll() {
        for (CTabItem item : folder.getItems()) {
            forget(item);
            item.dispose();
        }
    }

    /** Selects the next ({@code +1}) or previous ({@code -1}) tab, wrapping around. */
    public void cycle(int direction) {
        int n = folder.getItemCount();
        if (n == 0) {
            return;
        }
        int i = Math.max(0, folder.getSelectionIndex());
        CTabItem item = folder.getItem(((i + direction) % n + n) % n);
        folder.setSelection(item);
        markSeen(item);
    }

    /** Job ids of the open tabs, in tab order (for the saved layout). */
    public List<Long> openJobIds() {
        List<Long> ids = new ArrayList<>();
        for (CTabItem item : folder.getItems()) {
            ids.add(((OutputTab) item.getData()).jobId());
        }
        return ids;
    }

    public boolean hasTabs() {
        return !items.isEmpty();
    }
}
