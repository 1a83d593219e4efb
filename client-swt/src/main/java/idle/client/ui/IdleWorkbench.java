package idle.client.ui;

import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.SessionOpener;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.eclipse.jface.window.Window;
import org.eclipse.swt.widgets.Display;

/**
 * Builds and runs the workbench on a display: resources, settings, window, and the first login
 * (scripted when server, user and password are all given; the dialog otherwise). The thread that
 * calls {@link #open()} becomes the UI thread.
 */
public final class IdleWorkbench {
    /**
     * How to start.
     *
     * @param server "host:port" to log in to, or null to ask
     * @param user user name, or null to ask
     * @param password password for a scripted login (e.g. from IDLE_PASSWORD), or null to ask
     * @param settingsDir the user's IDLE client directory (layout and remembered login)
     * @param retainedChars characters each output tab keeps
     * @param historyPage jobs the history view asks for at a time
     * @param scripts scripts to put in the queue view's list, ready to submit
     */
    public record Options(String server, String user, char[] password, Path settingsDir, int retainedChars,
            int historyPage, java.util.List<Path> scripts) {
        public Options {
            Objects.requireNonNull(settingsDir, "settingsDir");
            scripts = java.util.List.copyOf(scripts);
            if (retainedChars < 1000 || historyPage < 1) {
                throw new IllegalArgumentException("retainedChars >= 1000 and historyPage >= 1");
            }
        }

        /** Asks for everything in the dialog; the usual sizes. */
        public static Options of(Path settingsDir) {
            return new Options(null, null, null, settingsDir, idle.client.ui.views.OutputTab.DEFAULT_RETAINED_CHARS,
                    idle.client.ui.views.HistoryView.PAGE, java.util.List.of());
        }

        public Options withLogin(String newServer, String newUser, char[] newPassword) {
            return new Options(newServer, newUser, newPassword, settingsDir, retainedChars, historyPage, scripts);
        }

        public Options withHistoryPage(int jobs) {
            return new Options(server, user, password, settingsDir, retainedChars, jobs, scripts);
        }

        public Options withScripts(java.util.List<Path> ready) {
            return new Options(server, user, password, settingsDir, retainedChars, historyPage, ready);
        }

        public boolean scripted() {
            return server != null && user != null && password != null && password.length > 0;
        }
    }

    private final Display display;
    private final Options options;
    private final SessionOpener opener;
    private final IdleResources resources;
    private final WorkbenchWindow window;

    /** Creates the workbench's window (not yet open) on {@code display}. UI thread. */
    public IdleWorkbench(Display display, Options options, SessionOpener opener) {
        this.display = display;
        this.options = options;
        this.opener = opener;
        this.resources = new IdleResources(display);
        SettingsStore layout = new SettingsStore(options.settingsDir().resolve("workbench.properties")).load();
        SettingsStore remembered = new SettingsStore(options.settingsDir().resolve("login.properties")).load();
        if (options.server() != null) {
            remembered.put("login.server", options.server());
        }
        if (options.user() != null) {
            remembered.put("login.user", options.user());
        }
        this.window = new WorkbenchWindow(new UiThread(display), resources, layout, remembered, opener,
                options.retainedChars(), options.historyPage());
        window.setBlockOnOpen(false);
    }

    public WorkbenchWindow window() {
        return window;
    }

    /**
     * Opens the window and logs in: scripted when the options allow it (the dialog opens with the
     * error if that fails), else through the dialog. Returns at once (the dialog does not block). UI
     * thread.
     */
    public void open() {
        window.open();
        if (!options.scripts().isEmpty()) {
            window.queue().addScripts(options.scripts());
        }
        if (options.scripted()) {
            char[] secret = options.password().clone();
            window.status("Logging in to " + options.server() + " as " + options.user() + "…");
            window.background().run(window.getShell(), () -> {
                try {
                    return opener.open(options.server(), options.user(), secret);
                } finally {
                    Arrays.fill(secret, '\0');
                }
            }, window::useSession, failure -> window.logIn(UserMessages.describe(failure)));
        } else {
            window.logIn();
        }
    }

    /** Runs the event loop until the window closes, then releases everything. UI thread. */
    public void runUntilClosed() {
        while (window.getShell() != null && !window.getShell().isDisposed()) {
            if (!display.readAndDispatch()) {
                display.sleep();
            }
        }
        dispose();
    }

    /** Closes the window (if open) and disposes the resources. UI thread. */
    public void dispose() {
        if (window.getShell() != null && !window.getShell().isDisposed()) {
            window.close();
        }
        resources.dispose();
    }

    /** Logs in with an existing session (tests, scripted callers). UI thread. */
    public void use(ClientSession session) {
        window.useSession(session);
    }

    /** Opens a display, runs the workbench until its window closes. Returns an exit code. */
    public static int run(Options options, SessionOpener opener) {
        Display.setAppName("IDLE");
        Display display = new Display();
        try {
            IdleWorkbench workbench = new IdleWorkbench(display, options, opener);
            workbench.open();
            workbench.runUntilClosed();
            return Window.OK;
        } finally {
            display.dispose();
        }
    }
}
