package idle.client.ui;

import idle.client.ui.dialogs.LoginDialog;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.SessionOpener;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Shell;

/**
 * How a session comes to the workbench and goes: the login dialog, which never blocks (no nested
 * event loop, so the window stays live) and opens once at a time, and the switch from one session
 * to the next, the old one being logged out on a worker so the UI never waits for the network.
 *
 * <p>UI thread only. Lives as long as the window; the sessions it sets are held by
 * {@link Sessions}.
 */
final class LoginFlow {
    private final SessionOpener opener;
    private final Background background;
    private final SettingsStore remembered;
    private final IdleResources resources;
    private final Sessions sessions;
    private LoginDialog dialog;

    /** @param remembered where the last server and user are kept */
    LoginFlow(SessionOpener opener, Background background, SettingsStore remembered, IdleResources resources,
            Sessions sessions) {
        this.opener = opener;
        this.background = background;
        this.remembered = remembered;
        this.resources = resources;
        this.sessions = sessions;
    }

    /**
     * Opens the login dialog over {@code parent}, with an error to show (e.g. a failed scripted
     * login; may be null); its session is used when it closes with OK. An open dialog is brought
     * to front instead of opening another. Returns the dialog.
     */
    LoginDialog open(Shell parent, String error) {
        if (dialog != null && dialog.getShell() != null && !dialog.getShell().isDisposed()) {
            dialog.getShell().forceActive();
            return dialog;
        }
        LoginDialog d = new LoginDialog(parent, opener, background, remembered, resources, error);
        d.setBlockOnOpen(false);
        d.open();
        dialog = d;
        d.getShell().addListener(SWT.Dispose, e -> {
            if (d.getReturnCode() == LoginDialog.OK && d.session() != null) {
                use(d.session());
            }
            if (dialog == d) {
                dialog = null;
            }
        });
        return d;
    }

    /** The login dialog while it is open, else null. */
    LoginDialog dialog() {
        return dialog;
    }

    /** Uses {@code session} (null: none); the previous one is logged out off the UI thread. */
    void use(ClientSession session) {
        ClientSession old = sessions.set(session);
        if (old != session) {
            logOutLater(old);
        }
    }

    /** Logs {@code session} (may be null) out on a worker; failures are only logged. */
    void logOutLater(ClientSession session) {
        if (session != null) {
            background.runQuietly("log out", () -> {
                session.close();
                return null;
            });
        }
    }
}
