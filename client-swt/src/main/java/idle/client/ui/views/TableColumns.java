package idle.client.ui.views;

import java.util.function.Function;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;

/** Adds a movable text column to a JFace table, the one way every view builds its columns. UI thread only. */
final class TableColumns {
    private TableColumns() {
    }

    /**
     * A column whose cells show {@code text} of the row, in {@code colour} (null: the default).
     * The viewer's elements must be of {@code type}.
     */
    static <T> TableViewerColumn add(TableViewer viewer, Class<T> type, String name, int width,
            Function<T, String> text, Function<T, Color> colour) {
        TableViewerColumn c = new TableViewerColumn(viewer, SWT.NONE);
        c.getColumn().setText(name);
        c.getColumn().setWidth(width);
        c.getColumn().setMoveable(true);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply(type.cast(element));
            }

            @Override
            public Color getForeground(Object element) {
                return colour == null ? null : colour.apply(type.cast(element));
            }
        });
        return c;
    }
}
