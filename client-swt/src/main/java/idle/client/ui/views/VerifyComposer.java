package idle.client.ui.views;

import idle.client.ui.Background;
import idle.client.ui.SettingsStore;
import idle.client.ui.model.VerifyChoice;
import idle.shared.model.ComparePart;
import idle.shared.model.Verification;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;

/**
 * The queue's verification choice for the scripts it submits: "Verify on N lenders" (the
 * server's default, off, or 2 to 7 lenders of different accounts) and what their results must
 * agree on (exit code, stdout, stderr, files; at least one). The choice is kept in the
 * workbench's settings ({@value #REPLICAS_KEY}, {@value #COMPARE_KEY}) as soon as it changes.
 * UI thread only.
 */
public final class VerifyComposer {
    static final String REPLICAS_KEY = "submit.verify";
    static final String COMPARE_KEY = "submit.compare";

    private final Composite root;
    private final Combo replicas;
    private final Map<ComparePart, Button> compare = new EnumMap<>(ComparePart.class);
    private final SettingsStore settings;
    private final Background background;

    public VerifyComposer(Composite parent, SettingsStore settings, Background background) {
        this.settings = settings;
        this.background = background;
        root = new Composite(parent, SWT.NONE);
        GridLayout layout = new GridLayout(2 + ComparePart.values().length + 1, false);
        layout.marginWidth = 0;
        layout.marginHeight = 0;
        root.setLayout(layout);
        Label label = new Label(root, SWT.NONE);
        label.setText("Verify:");
        replicas = new Combo(root, SWT.READ_ONLY | SWT.DROP_DOWN);
        // the item's index is the replicas asked for: 0 default, 1 off, 2..7
        replicas.add("server's default");
        replicas.add("off (one lender)");
        for (int n = 2; n <= Verification.MAX_REPLICAS; n++) {
            replicas.add("on " + n + " lenders");
        }
        String tip = "Run each script on several lenders of different accounts and accept its result "
                + "when a strict majority agree (a verified badge); the server adds lenders when "
                + "they disagree. Sweeps are not verified.";
        replicas.setToolTipText(tip);
        label.setToolTipText(tip);
        Label then = new Label(root, SWT.NONE);
        then.setText("   comparing:");
        for (ComparePart part : ComparePart.values()) {
            Button b = new Button(root, SWT.CHECK);
            b.setText(part == ComparePart.EXIT ? "exit code" : part.name().toLowerCase());
            b.setToolTipText("The lenders' " + b.getText() + " must be the same (untick what your "
                    + "script makes differently each run, e.g. random numbers or times)");
            compare.put(part, b);
            b.addListener(SWT.Selection, e -> {
                if (chosenParts().isEmpty()) {
                    b.setSelection(true); // at least one part: nothing to compare is no vote
                }
                changed();
            });
        }
        replicas.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false));
        show(VerifyChoice.fromSettings(settings.getInt(REPLICAS_KEY, 0), settings.get(COMPARE_KEY, "")));
        replicas.addListener(SWT.Selection, e -> changed());
    }

    public Composite control() {
        return root;
    }

    public Combo replicasCombo() {
        return replicas;
    }

    public Button compareBox(ComparePart part) {
        return compare.get(part);
    }

    /** The choice as the controls show it. */
    public VerifyChoice choice() {
        return new VerifyChoice(Math.max(0, replicas.getSelectionIndex()), chosenParts());
    }

    /** Shows {@code choice} in the controls (and keeps it, as a change by the user would). */
    public void select(VerifyChoice choice) {
        show(choice);
        changed();
    }

    private void show(VerifyChoice choice) {
        replicas.select(choice.replicas());
        for (var e : compare.entrySet()) {
            e.getValue().setSelection(choice.compare().contains(e.getKey()));
        }
        enableCompare();
    }

    private Set<ComparePart> chosenParts() {
        EnumSet<ComparePart> parts = EnumSet.noneOf(ComparePart.class);
        compare.forEach((part, box) -> {
            if (box.getSelection()) {
                parts.add(part);
            }
        });
        return parts;
    }

    private void enableCompare() {
        boolean off = replicas.getSelectionIndex() == 1;
        compare.values().forEach(b -> b.setEnabled(!off));
    }

    private void changed() {
        enableCompare();
        VerifyChoice c = choice();
        settings.putInt(REPLICAS_KEY, c.replicas());
        settings.put(COMPARE_KEY, c.compareText());
        background.runQuietly("save the verification choice", () -> {
            settings.save();
            return null;
        });
    }
}
