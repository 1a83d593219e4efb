package idle.client.ui.views;

import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Control;

/**
 * A workaround: GTK leaves blank the rows given to a table that was made in a view not in front
 * (the history) until the table's size changes; a size change of one pixel, undone at once with
 * redraw off, makes it draw them. Seen under Xvfb; harmless elsewhere. UI thread only.
 */
final class GtkRows {
    private GtkRows() {
    }

    /** Makes {@code table} draw rows it was just given. */
    static void show(Control table) {
        if (table.isDisposed()) {
            return;
        }
        Rectangle b = table.getBounds();
        if (b.height <= 1) {
            return;
        }
        table.setRedraw(false);
        try {
            table.setBounds(b.x, b.y, b.width, b.height - 1);
            table.setBounds(b);
        } finally {
            table.setRedraw(true);
        }
    }
}
