package idle.client.ui.views;

import idle.client.ui.resources.IdleResources;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.layout.RowLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;

/** A section's heading in a view: its title in bold, a grey hint, and its buttons on the right. UI thread only. */
final class SectionHeader {
    private SectionHeader() {
    }

    /** A heading with a hint, in a grid cell of {@code parent}; returns the row for its buttons. */
    static Composite create(Composite parent, IdleResources resources, String title, String hint) {
        Composite head = new Composite(parent, SWT.NONE);
        GridLayout hl = new GridLayout(2, false);
        hl.marginWidth = 0;
        hl.marginHeight = 0;
        head.setLayout(hl);
        head.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        Composite words = new Composite(head, SWT.NONE);
        GridLayout wl = new GridLayout(2, false);
        wl.marginWidth = 0;
        words.setLayout(wl);
        words.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        Label t = new Label(words, SWT.NONE);
        t.setText(title);
        t.setFont(resources.bold());
        Label h = new Label(words, SWT.NONE);
        h.setText("— " + hint);
        h.setForeground(resources.note());
        Composite buttons = new Composite(head, SWT.NONE);
        RowLayout rl = new RowLayout(SWT.HORIZONTAL);
        rl.marginTop = 0;
        rl.marginBottom = 0;
        rl.marginRight = 0;
        rl.center = true;
        buttons.setLayout(rl);
        buttons.setLayoutData(new GridData(SWT.END, SWT.CENTER, false, false));
        return buttons;
    }

    /** A push button with an optional registry icon (null for none) that runs {@code action}. */
    static Button button(Composite parent, IdleResources resources, String text, String icon, String tip,
            Runnable action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        if (icon != null) {
            b.setImage(resources.image(icon));
        }
        b.setToolTipText(tip);
        b.addListener(SWT.Selection, e -> action.run());
        return b;
    }
}
