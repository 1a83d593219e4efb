package idle.client.ui.dialogs;

import idle.client.ui.model.SweepDraft;
import java.nio.file.Path;
import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Text;

/**
 * "Run as sweep": how to make the tasks of a sweep from a script in the queue: one per line of a
 * parameter file, one per input file of the script, or N with the index as the argument. The
 * choice is read after {@link #open} returned OK. UI thread only.
 */
public final class SweepDialog extends Dialog {
    private final String scriptName;
    private final int inputCount;
    private Button eachLine;
    private Button eachInput;
    private Text file;
    private Spinner count;
    private SweepDraft.Mode mode = SweepDraft.Mode.EACH_LINE;
    private Path params;
    private int repeat = 10;

    public SweepDialog(Shell parent, String scriptName, int inputCount) {
        super(parent);
        this.scriptName = scriptName;
        this.inputCount = inputCount;
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText("Run " + scriptName + " as a sweep");
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite c = (Composite) super.createDialogArea(parent);
        c.setLayout(new GridLayout(3, false));
        Label intro = new Label(c, SWT.WRAP);
        intro.setText("One script, many tasks, spread over every free lender. Each task sees "
                + "IDLE_TASK_INDEX and IDLE_TASK_COUNT; the script's arguments follow each task's "
                + "own.");
        GridData id = new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1);
        id.widthHint = 460;
        intro.setLayoutData(id);
        eachLine = new Button(c, SWT.RADIO);
        eachLine.setText("One task per line of a parameter file:");
        eachLine.setSelection(true);
        file = new Text(c, SWT.BORDER);
        file.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        Button browse = new Button(c, SWT.PUSH);
        browse.setText("Choose…");
        browse.addListener(SWT.Selection, e -> {
            FileDialog d = new FileDialog(getShell(), SWT.OPEN);
            d.setText("Parameter file: one task per line");
            String f = d.open();
            if (f != null) {
                file.setText(f);
                eachLine.setSelection(true);
                eachInput.setSelection(false);
            }
        });
        eachInput = new Button(c, SWT.RADIO);
        eachInput.setText("One task per input file of the script (" + inputCount + ")");
        eachInput.setEnabled(inputCount > 0);
        eachInput.setLayoutData(new GridData(SWT.LEFT, SWT.CENTER, false, false, 3, 1));
        Button times = new Button(c, SWT.RADIO);
        times.setText("A number of tasks, each with its index:");
        count = new Spinner(c, SWT.BORDER);
        count.setValues(10, 1, 100_000, 0, 1, 10);
        new Label(c, SWT.NONE);
        return c;
    }

    @Override
    protected void okPressed() {
        if (eachLine.getSelection()) {
            if (file.getText().isBlank()) {
                file.setFocus();
                return;
            }
            mode = SweepDraft.Mode.EACH_LINE;
            params = Path.of(file.getText().strip());
        } else if (eachInput.getSelection()) {
            mode = SweepDraft.Mode.EACH_INPUT;
        } else {
            mode = SweepDraft.Mode.REPEAT;
            repeat = count.getSelection();
        }
        super.okPressed();
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, IDialogConstants.OK_ID, "Submit sweep", true);
        createButton(parent, IDialogConstants.CANCEL_ID, IDialogConstants.CANCEL_LABEL, false);
    }

    public SweepDraft.Mode mode() {
        return mode;
    }

    public Path params() {
        return params;
    }

    public int repeat() {
        return repeat;
    }
}
