package idle.client.ui.views;

import idle.client.ui.model.ReplicaLine;
import idle.client.ui.model.VoteTexts;
import idle.client.ui.resources.IdleResources;
import idle.shared.model.ComparePart;
import idle.shared.model.ReplicaResult;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CLabel;
import org.eclipse.swt.custom.StyledText;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;

/**
 * A verified job's vote in its output tab: a line saying where the vote stands (waiting, verified
 * by how many, or no majority), and, when the results disagree, the replicas side by side: a row
 * per replica (lender pseudonym, result, stdout and stderr hash prefixes, files, whether it is in
 * the majority; cells that differ from the reference result marked) and the server's difference
 * lines beneath. The line and the panel live in parents of the tab's choosing. UI thread only.
 */
public final class VotePanel {
    private final IdleResources resources;
    private final CLabel line;
    private final Composite panel;
    private final Label title;
    private final TableViewer viewer;
    private final StyledText differences;
    private Set<ComparePart> compared = ComparePart.ALL;

    /**
     * @param lineParent where the vote's line goes (a one-column grid; hidden when not verified)
     * @param panelParent where the side-by-side panel goes (a one-column grid; left out while hidden)
     */
    public VotePanel(Composite lineParent, Composite panelParent, IdleResources resources) {
        this.resources = resources;
        line = new CLabel(lineParent, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).exclude(true).applyTo(line);
        line.setVisible(false);

        panel = new Composite(panelParent, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, true).exclude(true).applyTo(panel);
        GridLayout pl = new GridLayout(1, false);
        pl.marginHeight = 2;
        panel.setLayout(pl);
        title = new Label(panel, SWT.NONE);
        title.setText("Replicas side by side");
        title.setFont(resources.bold());
        title.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        viewer = new TableViewer(panel, SWT.BORDER | SWT.FULL_SELECTION);
        viewer.getTable().setHeaderVisible(true);
        viewer.getTable().setLinesVisible(true);
        GridDataFactory.fillDefaults().grab(true, true).hint(400, 4 * viewer.getTable().getItemHeight()
                + viewer.getTable().getHeaderHeight()).applyTo(viewer.getTable());
        column("Lender", 190, ReplicaLine::lender, r -> null);
        column("Result", 100, ReplicaLine::outcome, marked(ComparePart.EXIT));
        column("stdout SHA-256", 125, ReplicaLine::stdout, marked(ComparePart.STDOUT));
        column("stderr SHA-256", 125, ReplicaLine::stderr, marked(ComparePart.STDERR));
        column("Files", 240, ReplicaLine::files, marked(ComparePart.FILES));
        column("In majority", 90, ReplicaLine::majority,
                r -> r.majority().equals("yes") ? resources.success() : resources.failure());
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        viewer.setInput(List.of());
        differences = new StyledText(panel, SWT.BORDER | SWT.READ_ONLY | SWT.V_SCROLL | SWT.H_SCROLL);
        differences.setFont(resources.mono());
        differences.setLeftMargin(4);
        // the table takes the room; the difference lines scroll past four
        GridDataFactory.fillDefaults().grab(true, false).hint(400, 4 * differences.getLineHeight() + 6)
                .applyTo(differences);
        panel.setBounds(0, 0, 0, 0); // hidden by having no size (see showReplicas)
    }

    /**
     * Marks a replica's cell when its {@code part} differs from the reference's: in the failure
     * colour when the part is compared, grey when it is not (it differs, but does not count).
     */
    private Function<ReplicaLine, Color> marked(ComparePart part) {
        return r -> !r.differing().contains(part) ? null
                : compared.contains(part) ? resources.failure() : resources.note();
    }

    private void column(String name, int width, Function<ReplicaLine, String> text,
            Function<ReplicaLine, Color> colour) {
        TableColumns.add(viewer, ReplicaLine.class, name, width, text, colour);
    }

    public CLabel line() {
        return line;
    }

    public Composite control() {
        return panel;
    }

    /** Whether the replicas are shown (the panel is in the layout). */
    public boolean showsReplicas() {
        return !((GridData) panel.getLayoutData()).exclude;
    }

    public TableViewer viewer() {
        return viewer;
    }

    public String differencesText() {
        return differences.getText();
    }

    /** Says where the vote stands in the line; hides it for a job that is not verified. */
    public void showVote(Verification v) {
        boolean shown = v.verified();
        if (shown) {
            line.setText(VoteTexts.sentence(v));
            line.setImage(resources.voteImage(v));
            line.setForeground(v.state() == VoteState.UNVERIFIED ? resources.warningForeground()
                    : resources.voteColor(v));
            line.setBackground(v.state() == VoteState.UNVERIFIED ? resources.warningBackground() : null);
        }
        if (line.getVisible() != shown) {
            line.setVisible(shown);
            ((GridData) line.getLayoutData()).exclude = !shown;
        }
        line.getParent().layout(true, true);
    }

    /**
     * Shows the replicas side by side when the vote calls for it (no majority, or a dissent).
     *
     * @return whether the panel should be shown
     */
    public boolean showReplicas(Verification v, List<ReplicaResult> replicas) {
        boolean shown = VoteTexts.showReplicas(v) && !replicas.isEmpty();
        // Left out of the layout and shrunk to nothing rather than hidden: GTK leaves the rows of
        // a table hidden and shown again blank.
        ((GridData) panel.getLayoutData()).exclude = !shown;
        if (!shown) {
            panel.setBounds(0, 0, 0, 0);
        }
        panel.getParent().layout(true, true);
        compared = v.compared();
        List<ReplicaLine> lines = ReplicaLine.of(replicas);
        viewer.setInput(lines);
        title.setText("Replicas side by side — " + VoteTexts.agree(v) + " on "
                + VoteTexts.parts(v.compared()));
        StringBuilder sb = new StringBuilder();
        for (ReplicaLine r : lines) {
            for (String d : r.differenceLines()) {
                sb.append(sb.isEmpty() ? "" : "\n").append(d);
            }
        }
        differences.setText(sb.isEmpty() ? "The server listed no differences." : sb.toString());
        panel.layout(true, true);
        return shown;
    }
}
