package idle.client.ui.actions;

import org.eclipse.jface.action.ContributionItem;
import org.eclipse.jface.action.StatusLineLayoutData;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CLabel;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;

/**
 * A fixed-width field of the status line (icon and text), like the workbench's own status line
 * contributions. Keeps its text while it has no control yet. UI thread only.
 */
public final class StatusField extends ContributionItem {
    private final int widthChars;
    private CLabel label;
    private String text = "";
    private String tooltip;
    private Image image;

    public StatusField(String id, int widthChars) {
        super(id);
        this.widthChars = widthChars;
    }

    @Override
    public void fill(Composite parent) {
        Label separator = new Label(parent, SWT.SEPARATOR);
        label = new CLabel(parent, SWT.SHADOW_NONE);
        GC gc = new GC(parent);
        int width;
        try {
            width = (int) (gc.getFontMetrics().getAverageCharacterWidth() * widthChars) + 24;
        } finally {
            gc.dispose();
        }
        StatusLineLayoutData data = new StatusLineLayoutData();
        data.widthHint = width;
        label.setLayoutData(data);
        StatusLineLayoutData sep = new StatusLineLayoutData();
        sep.heightHint = label.computeSize(SWT.DEFAULT, SWT.DEFAULT).y;
        separator.setLayoutData(sep);
        show();
    }

    public void set(String newText, Image newImage, String newTooltip) {
        text = newText;
        image = newImage;
        tooltip = newTooltip;
        show();
    }

    public String text() {
        return text;
    }

    private void show() {
        if (label != null && !label.isDisposed()) {
            label.setText(text);
            label.setImage(image);
            label.setToolTipText(tooltip);
        }
    }
}
