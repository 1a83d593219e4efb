package idle.client.ui.views;

import idle.client.ui.model.JobTexts;
import idle.client.ui.model.SweepRow;
import idle.client.ui.resources.IdleResources;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.layout.RowLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeColumn;
import org.eclipse.swt.widgets.TreeItem;

/**
 * Sweeps as the queue and the history show them: one expandable row per sweep with a progress
 * bar (succeeded in green, failed in red, running in blue, of all its tasks) and its counts; its
 * tasks appear as child rows when it is expanded (loaded then, through {@link Actions}), and a
 * double-click on a task opens its output in an output tab. UI thread only.
 */
public final class SweepsPanel {
    /** What the panel asks of its owner. */
    public interface Actions {
        /** The sweep was expanded: load its tasks (then call {@link #tasks}). */
        void loadTasks(SweepRow row);

        /** Open the output of a task in an output tab. */
        void openTask(SweepRow row, JobSummary task);

        /** Cancel what is left of the sweep. */
        void cancel(SweepRow row);
    }

    static final int PROGRESS_COLUMN = 2;

    private final Composite root;
    private final Tree tree;
    private final IdleResources resources;
    private final Actions actions;
    private final Map<Long, TreeItem> items = new HashMap<>();
    /** The title's hint: how to use the list, or while it is empty, what a sweep is. */
    private final Label hintLabel;
    private final String hint;

    /** In the title line while there is no sweep, so an empty list costs no line of its own. */
    static final String EMPTY_HINT = "— none yet: “Run as sweep…” runs one script over many parameter"
            + " lines or input files";

    public SweepsPanel(Composite parent, IdleResources resources, String title, String hint,
            Actions actions) {
        this.resources = resources;
        this.actions = actions;
        root = new Composite(parent, SWT.NONE);
        GridLayout gl = new GridLayout(3, false);
        gl.marginWidth = 0;
        gl.marginHeight = 2;
        root.setLayout(gl);
        Label t = new Label(root, SWT.NONE);
        t.setText(title);
        t.setFont(resources.bold());
        this.hint = hint;
        hintLabel = new Label(root, SWT.NONE);
        hintLabel.setText(EMPTY_HINT);
        hintLabel.setForeground(resources.note());
        hintLabel.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        Composite buttons = new Composite(root, SWT.NONE);
        RowLayout rl = new RowLayout(SWT.HORIZONTAL);
        rl.marginTop = 0;
        rl.marginBottom = 0;
        rl.center = true;
        buttons.setLayout(rl);
        button(buttons, "Open task output", "Show the output of the selected tasks",
                this::openSelected);
        button(buttons, "Cancel sweep", "Cancel what is left of the selected sweeps",
                this::cancelSelected);

        tree = new Tree(root, SWT.BORDER | SWT.FULL_SELECTION | SWT.MULTI);
        tree.setHeaderVisible(true);
        tree.setLinesVisible(true);
        GridData td = new GridData(SWT.FILL, SWT.FILL, true, true, 3, 1);
        td.heightHint = 3 * tree.getItemHeight() + tree.getHeaderHeight();
        tree.setLayoutData(td);
        column("Sweep / task", 110);
        column("Script", 150);
        column("Progress", 220);
        column("Tasks", 330);
        column("Elapsed", 80);
        tree.addListener(SWT.PaintItem, this::paint);
        tree.addListener(SWT.EraseItem, e -> {
            if (e.index == PROGRESS_COLUMN && e.item.getData() instanceof SweepRow) {
                e.detail &= ~SWT.FOREGROUND;
            }
        });
        tree.addListener(SWT.Expand, e -> {
            TreeItem item = (TreeItem) e.item;
            if (item.getData() instanceof SweepRow row) {
                actions.loadTasks(row);
            }
        });
        tree.addListener(SWT.DefaultSelection, e -> openSelected());
    }

    private void column(String name, int width) {
        TreeColumn c = new TreeColumn(tree, SWT.LEFT);
        c.setText(name);
        c.setWidth(width);
    }

    private void button(Composite parent, String text, String tip, Runnable action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        b.setToolTipText(tip);
        b.addListener(SWT.Selection, e -> action.run());
    }

    public Composite control() {
        return root;
    }

    public Tree tree() {
        return tree;
    }

    /** Adds the sweep (newest on top) or refreshes its row. */
    public void show(SweepRow row) {
        TreeItem item = items.get(row.sweepId());
        if (item == null || item.isDisposed()) {
            item = new TreeItem(tree, SWT.NONE, 0);
            item.setData(row);
            items.put(row.sweepId(), item);
            new TreeItem(item, SWT.NONE).setText(0, "…"); // so it can be expanded
        }
        fill(item, row);
        hintLabel.setText("— " + hint);
    }

    /** Shows exactly these sweeps, in this order (a reload of the history). */
    public void setRows(List<SweepRow> rows) {
        tree.removeAll();
        items.clear();
        for (int i = rows.size() - 1; i >= 0; i--) {
            show(rows.get(i));
        }
        hintLabel.setText(rows.isEmpty() ? EMPTY_HINT : "— " + hint);
        root.layout(true, true);
    }

    /** The sweep's tasks are known: its child rows, by index. */
    public void tasks(SweepRow row) {
        TreeItem item = items.get(row.sweepId());
        if (item == null || item.isDisposed()) {
            return;
        }
        List<JobSummary> tasks = row.tasks();
        TreeItem[] children = item.getItems();
        for (int i = 0; i < tasks.size(); i++) {
            TreeItem c = i < children.length ? children[i] : new TreeItem(item, SWT.NONE);
            fillTask(c, tasks.get(i));
        }
        for (int i = tasks.size(); i < children.length; i++) {
            children[i].dispose();
        }
        fill(item, row);
    }

    /** One task changed: its row (when shown) and its sweep's. */
    public void taskChanged(SweepRow row, JobSummary task) {
        TreeItem item = items.get(row.sweepId());
        if (item == null || item.isDisposed()) {
            return;
        }
        fill(item, row);
        if (!item.getExpanded()) {
            return;
        }
        for (TreeItem c : item.getItems()) {
            if (c.getData() instanceof JobSummary t && t.taskIndex() == task.taskIndex()) {
                fillTask(c, task);
                return;
            }
        }
        tasks(row);
    }

    /** Refreshes the elapsed times of the sweeps still running. */
    public void tick() {
        for (TreeItem item : tree.getItems()) {
            if (item.getData() instanceof SweepRow row && !row.isDone()) {
                fill(item, row);
            }
        }
    }

    private void fill(TreeItem item, SweepRow row) {
        item.setText(0, "Sweep " + row.sweepId());
        item.setText(1, row.scriptName());
        item.setText(2, row.ended() + " / " + row.total());
        item.setText(3, row.countsText());
        item.setText(4, JobTexts.elapsed(row.elapsedMillis(System.currentTimeMillis())));
        int[] c = row.counts();
        item.setForeground(3, c[3] > 0 ? resources.failure() : row.isDone() ? resources.success()
                : null);
        tree.redraw();
    }

    private void fillTask(TreeItem c, JobSummary t) {
        c.setData(t);
        c.setText(0, "task " + t.taskIndex());
        c.setText(1, "job " + t.jobId());
        c.setText(2, JobTexts.state(t.state()));
        c.setText(3, JobTexts.outcome(t));
        c.setText(4, JobTexts.elapsed(t, System.currentTimeMillis()));
        c.setForeground(2, resources.stateColor(t.state()));
    }

    /** Draws the progress bar of a sweep row: done, failed, running, of all tasks. */
    private void paint(Event e) {
        if (e.index != PROGRESS_COLUMN || !(e.item.getData() instanceof SweepRow row)) {
            return;
        }
        GC gc = e.gc;
        Rectangle cell = ((TreeItem) e.item).getBounds(PROGRESS_COLUMN);
        int x = cell.x + 3;
        int y = cell.y + 3;
        int w = Math.max(10, cell.width - 6);
        int h = Math.max(6, cell.height - 6);
        int total = Math.max(1, row.total());
        int[] c = row.counts();
        Color old = gc.getBackground();
        int at = x;
        int[][] parts = {{c[2], SWT.COLOR_DARK_GREEN}, {c[3] + c[4], SWT.COLOR_RED},
            {c[1], SWT.COLOR_BLUE}};
        for (int[] p : parts) {
            int pw = (int) ((long) w * p[0] / total);
            if (pw > 0) {
                Color fill = p[1] == SWT.COLOR_DARK_GREEN ? resources.success()
                        : p[1] == SWT.COLOR_RED ? resources.failure()
                        : resources.stateColor(JobState.RUNNING);
                gc.setBackground(fill);
                gc.fillRectangle(at, y, pw, h);
                at += pw;
            }
        }
        gc.setBackground(old);
        gc.setForeground(tree.getDisplay().getSystemColor(SWT.COLOR_WIDGET_NORMAL_SHADOW));
        gc.drawRectangle(x, y, w - 1, h - 1);
        String text = row.ended() + " / " + row.total();
        Point ext = gc.textExtent(text);
        // the text sits in the middle: white on the filled part, the normal colour on the empty
        boolean filled = (long) 2 * (at - x) >= w;
        gc.setForeground(tree.getDisplay().getSystemColor(filled ? SWT.COLOR_WHITE
                : SWT.COLOR_WIDGET_FOREGROUND));
        gc.drawText(text, x + (w - ext.x) / 2, y + (h - ext.y) / 2, true);
    }

    private void openSelected() {
        for (TreeItem i : tree.getSelection()) {
            if (i.getData() instanceof JobSummary t && i.getParentItem() != null
                    && i.getParentItem().getData() instanceof SweepRow row) {
                actions.openTask(row, t);
            } else if (i.getData() instanceof SweepRow row) {
                i.setExpanded(true);
                actions.loadTasks(row);
            }
        }
    }

    private void cancelSelected() {
        List<SweepRow> rows = new ArrayList<>();
        for (TreeItem i : tree.getSelection()) {
            if (i.getData() instanceof SweepRow row && !row.isDone()) {
                rows.add(row);
            }
        }
        rows.forEach(actions::cancel);
    }

    /** The state column a task row would show; for tests. */
    static String stateOf(JobState s) {
        return JobTexts.state(s);
    }
}
