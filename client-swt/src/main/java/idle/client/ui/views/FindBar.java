package idle.client.ui.views;

import java.util.Locale;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.StyledText;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

/**
 * A find bar over a StyledText, hidden until {@link #show()}: type to find, Enter for the next
 * match, Shift+Enter for the previous, Escape to close. Matches wrap around. UI thread only.
 */
public final class FindBar {
    private final Composite bar;
    private final StyledText target;
    private final Text query;
    private final Button caseSensitive;
    private final Label result;

    public FindBar(Composite parent, StyledText target) {
        this.target = target;
        bar = new Composite(parent, SWT.NONE);
        GridLayout layout = new GridLayout(6, false);
        layout.marginHeight = 2;
        bar.setLayout(layout);
        bar.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        new Label(bar, SWT.NONE).setText("Find:");
        query = new Text(bar, SWT.BORDER | SWT.SEARCH | SWT.ICON_CANCEL);
        query.setMessage("text in the output");
        GridData q = new GridData(SWT.FILL, SWT.CENTER, false, false);
        q.widthHint = 260;
        query.setLayoutData(q);
        Button previous = new Button(bar, SWT.PUSH);
        previous.setText("Previous");
        previous.setToolTipText("Previous match (Shift+Enter)");
        Button next = new Button(bar, SWT.PUSH);
        next.setText("Next");
        next.setToolTipText("Next match (Enter)");
        caseSensitive = new Button(bar, SWT.CHECK);
        caseSensitive.setText("Match case");
        result = new Label(bar, SWT.NONE);
        GridData rd = new GridData(SWT.FILL, SWT.CENTER, true, false);
        rd.horizontalIndent = 12;
        result.setLayoutData(rd);

        previous.addListener(SWT.Selection, e -> find(false));
        next.addListener(SWT.Selection, e -> find(true));
        query.addListener(SWT.DefaultSelection, e -> find((e.stateMask & SWT.SHIFT) == 0));
        query.addListener(SWT.Modify, e -> {
            target.setSelection(target.getSelection().x);
            if (!query.getText().isEmpty()) {
                find(true);
            } else {
                result.setText("");
            }
        });
        query.addListener(SWT.Traverse, e -> {
            if (e.detail == SWT.TRAVERSE_ESCAPE) {
                e.doit = false;
                hide();
            }
        });
        setVisible(false);
    }

    public Composite control() {
        return bar;
    }

    /** Shows the bar with the current selection (if one line) as the query, and focuses it. */
    public void show() {
        String selected = target.getSelectionText();
        if (!selected.isEmpty() && !selected.contains("\n")) {
            query.setText(selected);
        }
        setVisible(true);
        query.selectAll();
        query.setFocus();
    }

    public void hide() {
        setVisible(false);
        target.setFocus();
    }

    public boolean isVisible() {
        return bar.getVisible();
    }

    /** The query text (for tests). */
    public Text query() {
        return query;
    }

    /** The result text: "3 of 12", "No matches" (for tests). */
    public String resultText() {
        return result.getText();
    }

    private void setVisible(boolean visible) {
        bar.setVisible(visible);
        ((GridData) bar.getLayoutData()).exclude = !visible;
        bar.getParent().layout(true, true);
    }

    /** Finds the next ({@code forward}) or previous match from the selection, wrapping around. */
    public boolean find(boolean forward) {
        String q = query.getText();
        if (q.isEmpty()) {
            return false;
        }
        boolean matchCase = caseSensitive.getSelection();
        String content = target.getText();
        String hay = matchCase ? content : content.toLowerCase(Locale.ROOT);
        String needle = matchCase ? q : q.toLowerCase(Locale.ROOT);
        var sel = target.getSelection();
        int at;
        boolean wrapped = false;
        if (forward) {
            at = hay.indexOf(needle, sel.y > sel.x ? sel.x + 1 : sel.x);
            if (at < 0) {
                at = hay.indexOf(needle);
                wrapped = true;
            }
        } else {
            at = sel.x > 0 ? hay.lastIndexOf(needle, sel.x - 1) : -1;
            if (at < 0) {
                at = hay.lastIndexOf(needle);
                wrapped = true;
            }
        }
        if (at < 0) {
            result.setText("No matches");
            result.getParent().layout();
            return false;
        }
        target.setSelection(at, at + q.length());
        target.showSelection();
        int total = count(hay, needle);
        int index = count(hay.substring(0, at), needle) + 1;
        result.setText(index + " of " + total + (wrapped ? " (wrapped)" : ""));
        result.getParent().layout();
        return true;
    }

    private static int count(String hay, String needle) {
        int n = 0;
        for (int i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
