package idle.client.ui.dialogs;

import idle.client.ui.Background;
import idle.client.ui.SettingsStore;
import idle.client.ui.UserMessages;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.SessionOpener;
import java.util.Arrays;
import java.util.concurrent.Future;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.IMessageProvider;
import org.eclipse.jface.dialogs.TitleAreaDialog;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.ProgressBar;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;

/**
 * Logs in: server, user name and password. The last server and user (never the password) are
 * remembered in the user's IDLE directory. "Log In" runs the login on a worker with an
 * indeterminate progress bar; Cancel stops a login in progress (a second Cancel closes the
 * dialog). Failures (unreachable, wrong password, disabled account) are shown in the dialog's
 * title area. UI thread only; {@link #session()} is the result after {@code OK}.
 */
public final class LoginDialog extends TitleAreaDialog {
    public static final String DEFAULT_SERVER = "localhost:8001";

    private final SessionOpener opener;
    private final Background background;
    private final SettingsStore remembered;
    private final IdleResources resources;
    private final String initialError;
    private Text server;
    private Text user;
    private Text password;
    private ProgressBar progress;
    private Label progressLabel;
    private Future<?> pending;
    private int attempt;
    private ClientSession session;
    private String error;

    public LoginDialog(Shell parent, SessionOpener opener, Background background, SettingsStore remembered,
            IdleResources resources, String initialError) {
        super(parent);
        this.opener = opener;
        this.background = background;
        this.remembered = remembered;
        this.resources = resources;
        this.initialError = initialError;
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText("Log In to IDLE");
    }

    @Override
    protected boolean isResizable() {
        return true;
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        setTitle("Log in to an IDLE server");
        setTitleImage(resources.icons().large(idle.client.ui.resources.Icons.LOGIN, 48));
        setMessage("Runners submit python3 scripts; lenders run them on their idle computers.",
                IMessageProvider.INFORMATION);
        Composite form = new Composite(area, SWT.NONE);
        GridLayout layout = new GridLayout(2, false);
        layout.marginWidth = 12;
        layout.marginHeight = 12;
        layout.verticalSpacing = 8;
        form.setLayout(layout);
        form.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        server = field(form, "&Server:", SWT.BORDER, "host:port");
        user = field(form, "&User name:", SWT.BORDER, "");
        password = field(form, "&Password:", SWT.BORDER | SWT.PASSWORD, "");
        server.setText(remembered.get("login.server", DEFAULT_SERVER));
        user.setText(remembered.get("login.user", System.getProperty("user.name", "")));

        Composite progressRow = new Composite(form, SWT.NONE);
        GridLayout pl = new GridLayout(2, false);
        pl.marginWidth = 0;
        progressRow.setLayout(pl);
        GridDataFactory.fillDefaults().span(2, 1).grab(true, false).applyTo(progressRow);
        progress = new ProgressBar(progressRow, SWT.INDETERMINATE | SWT.HORIZONTAL);
        GridDataFactory.fillDefaults().hint(120, SWT.DEFAULT).applyTo(progress);
        progressLabel = new Label(progressRow, SWT.NONE);
        progressLabel.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        progress.setVisible(false);

        if (initialError != null) {
            setErrorMessage(initialError);
        }
        return area;
    }

    @Override
    public void create() {
        super.create();
        getButton(IDialogConstants.OK_ID).setText("&Log In");
        (user.getText().isEmpty() ? user : password).setFocus();
    }

    private Text field(Composite parent, String label, int style, String hint) {
        new Label(parent, SWT.NONE).setText(label);
        Text t = new Text(parent, style);
        t.setMessage(hint);
        GridDataFactory.fillDefaults().grab(true, false).hint(280, SWT.DEFAULT).applyTo(t);
        return t;
    }

    /** The logged-in session after the dialog returned {@code OK}; null otherwise. */
    public ClientSession session() {
        return session;
    }

    /** True while a login runs (for tests). */
    public boolean isLoggingIn() {
        return pending != null;
    }

    /** Presses "Log In" (for scripted use and tests). */
    public void logIn() {
        okPressed();
    }

    /** Presses "Cancel" (for tests). */
    public void cancel() {
        cancelPressed();
    }

    /** The error shown in the title area, or null. */
    public String error() {
        return error;
    }

    @Override
    public void setErrorMessage(String newErrorMessage) {
        error = newErrorMessage;
        super.setErrorMessage(newErrorMessage);
    }

    public Text serverField() {
        return server;
    }

    public Text userField() {
        return user;
    }

    public Text passwordField() {
        return password;
    }

    @Override
    protected void okPressed() {
        String host = server.getText().trim();
        String name = user.getText().trim();
        char[] secret = password.getTextChars();
        if (host.isEmpty() || host.matches(".*\\s.*")) {
            setErrorMessage("Type the server as host:port, for example " + DEFAULT_SERVER + ".");
            server.setFocus();
            return;
        }
        if (name.isEmpty()) {
            setErrorMessage("Type your user name.");
            user.setFocus();
            return;
        }
        if (secret.length == 0) {
            setErrorMessage("Type your password.");
            password.setFocus();
            return;
        }
        setErrorMessage(null);
        setBusy(true, "Connecting to " + host + "…");
        int mine = ++attempt;
        pending = background.run(getShell(), () -> {
            try {
                return opener.open(host, name, secret);
            } finally {
                Arrays.fill(secret, '\0');
            }
        }, opened -> {
            if (mine != attempt) {
                background.runQuietly("close a late session", () -> {
                    opened.close();
                    return null;
                });
                return;
            }
            pending = null;
            session = opened;
            remembered.put("login.server", host);
            remembered.put("login.user", name);
            background.runQuietly("remember the login", () -> {
                remembered.save();
                return null;
            });
            super.okPressed();
        }, failure -> {
            if (mine != attempt) {
                return;
            }
            pending = null;
            setBusy(false, "");
            setErrorMessage(UserMessages.describe(failure));
            password.selectAll();
            password.setFocus();
        });
    }

    @Override
    protected void cancelPressed() {
        if (pending != null) {
            attempt++;
            pending.cancel(true);
            pending = null;
            setBusy(false, "");
            setMessage("Login cancelled.", IMessageProvider.WARNING);
            return;
        }
        super.cancelPressed();
    }

    private void setBusy(boolean busy, String text) {
        server.setEnabled(!busy);
        user.setEnabled(!busy);
        password.setEnabled(!busy);
        getButton(IDialogConstants.OK_ID).setEnabled(!busy);
        progress.setVisible(busy);
        progressLabel.setText(text);
        progressLabel.getParent().layout();
    }
}
