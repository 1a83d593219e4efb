package idle.client.ui.views;

import idle.client.ui.model.VoteTexts;
import idle.client.ui.resources.IdleResources;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.util.function.Function;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnViewerToolTipSupport;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Image;

/**
 * The "Vote" column of the job tables: {@link Verification#label()} with the verified badge, a
 * warning look for no majority (icon, colour, shaded cell) and a pending ring while the vote
 * runs; its tooltip says where the vote stands in a sentence. Empty for a job that is not
 * verified. UI thread only.
 */
final class VoteColumn {
    /** Wide enough for "no majority" and its icon in the default font. */
    static final int WIDTH = 110;

    private VoteColumn() {
    }

    /** Adds the column to {@code viewer}, whose elements are of {@code type}; null votes are none. */
    static <T> TableViewerColumn add(TableViewer viewer, Class<T> type, IdleResources resources,
            Function<T, Verification> vote) {
        TableViewerColumn c = new TableViewerColumn(viewer, SWT.NONE);
        c.getColumn().setText("Vote");
        c.getColumn().setWidth(WIDTH);
        c.getColumn().setMoveable(true);
        c.getColumn().setToolTipText("Verified jobs: how many lenders of different accounts agree");
        c.setLabelProvider(new ColumnLabelProvider() {
            private Verification of(Object element) {
                Verification v = vote.apply(type.cast(element));
                return v == null ? Verification.NONE : v;
            }

            @Override
            public String getText(Object element) {
                return VoteTexts.cell(of(element));
            }

            @Override
            public Image getImage(Object element) {
                return resources.voteImage(of(element));
            }

            @Override
            public Color getForeground(Object element) {
                return resources.voteColor(of(element));
            }

            @Override
            public Color getBackground(Object element) {
                return of(element).state() == VoteState.UNVERIFIED ? resources.warningBackground() : null;
            }

            @Override
            public String getToolTipText(Object element) {
                String s = VoteTexts.sentence(of(element));
                return s.isEmpty() ? null : s;
            }
        });
        ColumnViewerToolTipSupport.enableFor(viewer);
        return c;
    }
}
