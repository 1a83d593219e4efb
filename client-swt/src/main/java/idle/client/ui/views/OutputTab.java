package idle.client.ui.views;

import idle.client.ui.Background;
import idle.client.ui.Sessions;
import idle.client.ui.UiThread;
import idle.client.ui.model.JobTexts;
import idle.client.ui.model.VoteTexts;
import idle.client.ui.output.JobFeed;
import idle.client.ui.output.OutputBuffer;
import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.ServiceException;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CLabel;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.custom.StyleRange;
import org.eclipse.swt.custom.StyledText;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Listener;
import org.eclipse.swt.widgets.ToolBar;
import org.eclipse.swt.widgets.ToolItem;

/**
 * The content of one output tab: a header with the job's state, the streamed output (stdout in
 * the normal colour, stderr in red, the workbench's notes in grey), a find bar, and the job's
 * output files. Output arrives through the job's {@link JobFeed}; a UI timer drains it every
 * {@value #TICK_MS} ms, appends it in one go, trims the oldest text beyond the retained cap, and
 * keeps the view at the end unless the user scrolled up. UI thread only.
 */
public final class OutputTab {
    /** How often waiting output is moved into the widget. */
    public static final int TICK_MS = 100;
    /**
     * Characters moved into the widget per tick at most: appending costs about a microsecond a
     * character, so this keeps each tick short however fast a script prints; what a flood
     * leaves behind is dropped by the feed's bounded buffer and counted in the banner.
     */
    public static final int TICK_BUDGET_CHARS = 32 * 1024;
    /** Characters the widget keeps by default; older text is trimmed (it stays on the server). */
    public static final int DEFAULT_RETAINED_CHARS = 1_000_000;

    private final long jobId;
    private final JobFeed feed;
    private final int retainedChars;
    private final Background background;
    private final Sessions sessions;
    private final IdleResources resources;
    private final Composite root;
    private final CLabel header;
    private final Label scrollHint;
    private final CLabel trimmedBanner;
    private final StyledText text;
    private final FindBar findBar;
    private final SashForm sash;
    private final FilesPanel files;
    private final VotePanel vote;
    private JobSummary summary;
    private long trimmedChars;
    private long skippedChars;
    private boolean filesLoaded;
    private boolean sawItRunning;
    private long longestDrainNanos;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public OutputTab(Composite parent, long jobId, String scriptName, JobFeed feed, int retainedChars,
            UiThread ui, Background background, Sessions sessions, IdleResources resources) {
        this.jobId = jobId;
        this.feed = feed;
        this.retainedChars = retainedChars;
        this.background = background;
        this.sessions = sessions;
        this.resources = resources;
        root = new Composite(parent, SWT.NONE);
        GridLayout layout = new GridLayout(1, false);
        layout.marginWidth = 0;
        layout.marginHeight = 0;
        layout.verticalSpacing = 2;
        root.setLayout(layout);

        Composite top = new Composite(root, SWT.NONE);
        GridLayout tl = new GridLayout(3, false);
        tl.marginHeight = 2;
        top.setLayout(tl);
        top.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        header = new CLabel(top, SWT.NONE);
        header.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        header.setFont(resources.bold());
        scrollHint = new Label(top, SWT.NONE);
        scrollHint.setForeground(resources.note());
        scrollHint.setText("Auto-scroll paused: scroll to the end to resume");
        GridDataFactory.fillDefaults().align(SWT.END, SWT.CENTER).exclude(true).applyTo(scrollHint);
        scrollHint.setVisible(false);
        ToolBar tools = new ToolBar(top, SWT.FLAT | SWT.RIGHT);
        ToolItem find = new ToolItem(tools, SWT.PUSH);
        find.setText("Find");
        find.setImage(resources.image(Icons.FIND));
        find.setToolTipText("Find in the output (Ctrl+F)");
        ToolItem save = new ToolItem(tools, SWT.PUSH);
        save.setText("Save output…");
        save.setImage(resources.image(Icons.SAVE));
        save.setToolTipText("Save the complete output, fetched from the server (Ctrl+S)");

        trimmedBanner = new CLabel(root, SWT.NONE);
        trimmedBanner.setBackground(resources.warningBackground());
        trimmedBanner.setForeground(resources.warningForeground());
        trimmedBanner.setImage(resources.image(Icons.WARNING));
        GridDataFactory.fillDefaults().grab(true, false).exclude(true).applyTo(trimmedBanner);
        trimmedBanner.setVisible(false);

        sash = new SashForm(root, SWT.VERTICAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        Composite textArea = new Composite(sash, SWT.NONE);
        GridLayout ta = new GridLayout(1, false);
        ta.marginWidth = 0;
        ta.marginHeight = 0;
        textArea.setLayout(ta);
        text = new StyledText(textArea, SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL | SWT.READ_ONLY);
        text.setFont(resources.mono());
        text.setLeftMargin(4);
        text.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        // Ctrl+PageUp/PageDown switch tabs (the workbench's shortcut), not scroll to the window's edge.
        text.setKeyBinding(SWT.MOD1 | SWT.PAGE_DOWN, SWT.NULL);
        text.setKeyBinding(SWT.MOD1 | SWT.PAGE_UP, SWT.NULL);
        findBar = new FindBar(textArea, text);
        // Below the output: the replicas side by side (when they disagree) and the files. The
        // output fills the tab until the job's details say there is either: the sash's
        // maximized control moves the rest aside without hiding it (GTK leaves the rows of a
        // table that was hidden and shown again blank).
        Composite details = new Composite(sash, SWT.NONE);
        GridLayout dl = new GridLayout(1, false);
        dl.marginWidth = 0;
        dl.marginHeight = 0;
        details.setLayout(dl);
        vote = new VotePanel(root, details, resources);
        vote.line().moveBelow(top);
        files = new FilesPanel(details, jobId, background, sessions, resources);
        files.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        sash.setWeights(58, 42);
        sash.setMaximizedControl(textArea);

        find.addListener(SWT.Selection, e -> showFind());
        save.addListener(SWT.Selection, e -> saveOutput());
        text.getVerticalBar().addListener(SWT.Selection, e -> updateScrollHint());
        text.addListener(SWT.MouseVerticalWheel, e -> ui.async(text, this::updateScrollHint));
        text.addListener(SWT.KeyUp, e -> updateScrollHint());

        summary = new JobSummary(jobId, scriptName, JobState.QUEUED, null, null, "", "", 0, 0, 0, 0, 0);
        showHeader(summary);
        JobSummary known = feed.latest();
        if (known != null) {
            update(known);
        }
        ui.every(TICK_MS, root, this::drain);
    }

    public Composite control() {
        return root;
    }

    public long jobId() {
        return jobId;
    }

    public JobSummary summary() {
        return summary;
    }

    public StyledText text() {
        return text;
    }

    public FindBar findBar() {
        return findBar;
    }

    public FilesPanel files() {
        return files;
    }

    /** The job's vote: its line and, when the results disagree, the replicas side by side. */
    public VotePanel vote() {
        return vote;
    }

    /** Characters trimmed from the top so far (the server keeps them). */
    public long trimmedChars() {
        return trimmedChars;
    }

    public void showFind() {
        findBar.show();
    }

    /** True when the server told this tab a state that was not final: its end will be news. */
    public boolean sawItRunning() {
        return sawItRunning;
    }

    /** Marks the job as just submitted: however fast it ends, its end is news. */
    public void markJustSubmitted() {
        sawItRunning = true;
    }

    /** A state change of this tab's job, from the server. */
    public void update(JobSummary latest) {
        if (summary.state().isTerminal() && !latest.state().isTerminal()) {
            return;
        }
        if (!latest.state().isTerminal()) {
            sawItRunning = true;
        }
        if (latest.state() == JobState.UNVERIFIED && !summary.state().isTerminal()) {
            feed.buffer().note("— no output: the lenders' results disagree; their results are below —");
        }
        summary = latest;
        showHeader(latest);
        if (latest.state().isTerminal() && !filesLoaded) {
            loadFiles();
        }
    }

    private void showHeader(JobSummary latest) {
        StringBuilder sb = new StringBuilder();
        sb.append('#').append(jobId).append("  ").append(latest.scriptName()).append("  —  ")
                .append(JobTexts.state(latest.state()));
        if (!latest.lender().isEmpty()) {
            sb.append(" on lender “").append(latest.lender()).append('”');
        }
        if (latest.state().isTerminal()) {
            sb.append(": ").append(VoteTexts.outcome(latest));
        }
        header.setText(sb.toString());
        vote.showVote(latest.verification());
        header.setImage(resources.image(icon(latest)));
        header.setForeground(resources.stateColor(latest.state()));
        header.getParent().layout();
    }

    /** The icon for a job state (tabs and headers). */
    public static String stateIcon(JobState state) {
        return switch (state) {
            case QUEUED -> Icons.DOT_GREY;
            case RUNNING -> Icons.DOT_ORANGE;
            case SUCCEEDED -> Icons.DOT_GREEN;
            case UNVERIFIED -> Icons.WARNING;
            default -> Icons.CANCEL;
        };
    }

    /** The icon for a job (tabs and headers): its state's, or the verified badge for a verified success. */
    public static String icon(JobSummary job) {
        return job.state() == JobState.SUCCEEDED && job.verification().state() == VoteState.VERIFIED
                ? Icons.VERIFIED : stateIcon(job.state());
    }

    private void loadFiles() {
        filesLoaded = true;
        ClientSession session = sessions.current();
        if (session == null) {
            return;
        }
        background.run(root, "Load the files of job " + jobId, false, () -> session.detail(jobId), detail -> {
            files.setFiles(detail.files());
            Verification v = detail.summary().verification().verified() ? detail.summary().verification()
                    : summary.verification();
            boolean replicas = vote.showReplicas(v, detail.replicas());
            boolean hasFiles = !detail.files().isEmpty();
            GridData fd = (GridData) files.control().getLayoutData();
            fd.exclude = replicas && !hasFiles; // "no files" is no news next to the replicas
            if (fd.exclude) {
                files.control().setBounds(0, 0, 0, 0); // not hidden: see VotePanel.showReplicas
            }
            if (replicas || hasFiles) {
                sash.setMaximizedControl(null);
                // without a majority there is no output: the replicas are what there is to see
                sash.setWeights(v.state() == VoteState.UNVERIFIED ? new int[] {10, 90}
                        : replicas ? new int[] {45, 55} : filesWeights(detail.files().size()));
                if (!replicas && sash.getClientArea().height <= 0) {
                    // a tab opened just now has no size yet: weigh the files when it has one
                    int n = detail.files().size();
                    sash.addListener(SWT.Resize, new Listener() {
                        @Override
                        public void handleEvent(Event e) {
                            if (sash.getClientArea().height > 0) {
                                sash.removeListener(SWT.Resize, this);
                                sash.setWeights(filesWeights(n));
                            }
                        }
                    });
                }
            }
            files.control().getParent().layout(true, true);
        });
    }

    /**
     * Output over files: the files get what shows up to three of their rows (up to 60 % of the
     * tab), at least 42 %; in a short tab a fixed share left the list its headers and no file.
     */
    private int[] filesWeights(int fileCount) {
        int total = sash.getClientArea().height;
        if (total <= 0) {
            return new int[] {58, 42};
        }
        int wanted = files.heightFor(Math.min(3, fileCount)) + sash.getSashWidth();
        int part = Math.max(total * 42 / 100, Math.min(wanted, total * 60 / 100));
        return new int[] {total - part, part};
    }

    /** Moves waiting output into the widget. Called by the timer; public for tests. */
    public void drain() {
        long start = CPU.getCurrentThreadCpuTime();
        try {
            drainOnce();
        } finally {
            longestDrainNanos = Math.max(longestDrainNanos, CPU.getCurrentThreadCpuTime() - start);
        }
    }

    /**
     * The most CPU time one tick spent moving output into the widget, in ms (a health figure:
     * CPU time, so that it says what this code costs however busy the machine is).
     */
    public long longestDrainMillis() {
        return longestDrainNanos / 1_000_000;
    }

    private void drainOnce() {
        OutputBuffer.Batch batch = feed.buffer().drain(Math.min(TICK_BUDGET_CHARS, retainedChars));
        if (batch.isEmpty()) {
            return;
        }
        boolean follow = isAtEnd();
        List<OutputBuffer.Segment> segments = batch.segments();
        long incoming = segments.stream().mapToLong(s -> s.text().length()).sum();
        if (incoming > retainedChars) {
            // More arrived than the widget keeps: everything shown so far and the head of the
            // batch would be trimmed at once, so skip appending them at all.
            trimmedChars += text.getCharCount();
            text.setText("");
            long drop = incoming - retainedChars;
            List<OutputBuffer.Segment> kept = new ArrayList<>();
            for (OutputBuffer.Segment s : segments) {
                if (drop >= s.text().length()) {
                    drop -= s.text().length();
                    trimmedChars += s.text().length();
                } else {
                    kept.add(drop == 0 ? s : new OutputBuffer.Segment(s.kind(), s.text().substring((int) drop)));
                    trimmedChars += drop;
                    drop = 0;
                }
            }
            segments = kept;
            showTrimmed();
        }
        StringBuilder sb = new StringBuilder();
        List<StyleRange> styles = new ArrayList<>();
        int base = text.getCharCount();
        if (batch.droppedChars() > 0) {
            skippedChars += batch.droppedChars();
            showTrimmed();
        }
        for (OutputBuffer.Segment s : segments) {
            if (s.kind() == OutputBuffer.Kind.NOTE && !endsWithNewline(sb, base)) {
                sb.append('\n');
            }
            appendStyled(sb, styles, base, s.kind(), s.text());
        }
        text.setRedraw(false);
        try {
            text.append(sb.toString());
            for (StyleRange r : styles) {
                text.setStyleRange(r);
            }
            trimIfNeeded(follow);
            if (follow) {
                text.setTopIndex(Math.max(0, text.getLineCount() - 1));
                text.setHorizontalIndex(0);
            }
        } finally {
            text.setRedraw(true);
        }
        updateScrollHint();
    }

    private boolean endsWithNewline(StringBuilder pending, int base) {
        if (!pending.isEmpty()) {
            return pending.charAt(pending.length() - 1) == '\n';
        }
        return base == 0 || text.getTextRange(base - 1, 1).equals("\n");
    }

    private void appendStyled(StringBuilder sb, List<StyleRange> styles, int base, OutputBuffer.Kind kind,
            String s) {
        int start = base + sb.length();
        sb.append(s);
        if (kind == OutputBuffer.Kind.STDERR) {
            styles.add(new StyleRange(start, s.length(), resources.stderr(), null));
        } else if (kind == OutputBuffer.Kind.NOTE) {
            styles.add(new StyleRange(start, s.length(), resources.note(), null, SWT.ITALIC));
        }
    }

    private void trimIfNeeded(boolean follow) {
        int count = text.getCharCount();
        if (count <= retainedChars) {
            return;
        }
        int excess = count - retainedChars * 9 / 10;
        int line = text.getLineAtOffset(excess);
        int cut = line + 1 < text.getLineCount() ? text.getOffsetAtLine(line + 1) : excess;
        if (cut - excess > 16 * 1024) {
            cut = excess;
        }
        int top = text.getTopIndex();
        int removedLines = text.getLineAtOffset(cut);
        text.replaceTextRange(0, cut, "");
        trimmedChars += cut;
        if (!follow) {
            text.setTopIndex(Math.max(0, top - removedLines));
        }
        showTrimmed();
    }

    private void showTrimmed() {
        trimmedBanner.setText("Showing the latest output only: about " + JobTexts.bytes(trimmedChars + skippedChars)
                + " earlier were left out here. The full output stays on the server: “Save output…” fetches all of it.");
        if (!trimmedBanner.getVisible()) {
            trimmedBanner.setVisible(true);
            ((GridData) trimmedBanner.getLayoutData()).exclude = false;
            root.layout(true, true);
        }
    }

    /** True when the last line is in view, so new output should keep it in view. */
    public boolean isAtEnd() {
        int lineHeight = Math.max(1, text.getLineHeight());
        int visible = Math.max(1, text.getClientArea().height / lineHeight);
        return text.getTopIndex() + visible >= text.getLineCount() - 1;
    }

    private void updateScrollHint() {
        if (root.isDisposed()) {
            return;
        }
        boolean paused = !isAtEnd();
        if (scrollHint.getVisible() != paused) {
            scrollHint.setVisible(paused);
            ((GridData) scrollHint.getLayoutData()).exclude = !paused;
            scrollHint.getParent().layout();
        }
    }

    /** Asks for a file and saves the job's complete output there (fetched from the server). */
    public void saveOutput() {
        ClientSession session;
        try {
            session = sessions.require();
        } catch (ServiceException e) {
            header.setText(e.getMessage());
            return;
        }
        FileDialog dialog = new FileDialog(root.getShell(), SWT.SAVE);
        dialog.setText("Save the output of job " + jobId);
        String base = summary.scriptName().replaceFirst("\\.py$", "");
        dialog.setFileName(base + "-" + jobId + "-output.txt");
        dialog.setOverwrite(true);
        String target = dialog.open();
        if (target == null) {
            return;
        }
        background.run(root, "Save the output of job " + jobId, true, () -> {
            session.saveOutput(jobId, Path.of(target));
            return target;
        }, path -> header.setText(header.getText() + "   (output saved to " + path + ")"));
    }

    /** Stops receiving output; called when the tab closes. */
    public void dispose() {
        feed.discard();
        if (!root.isDisposed()) {
            root.dispose();
        }
    }
}
