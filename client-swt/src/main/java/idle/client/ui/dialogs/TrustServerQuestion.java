package idle.client.ui.dialogs;

import idle.shared.tls.PinningTrustManager;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;

/**
 * Asks the user whether to trust an IDLE server whose TLS key this computer has never seen, the
 * way ssh asks on a first connection: it shows the key's fingerprint and says where to check it.
 * A "yes" pins the key (the caller does that); afterwards a different key is refused without
 * asking.
 *
 * <p>Threads: {@link #accept} is called on the connecting (worker) thread; it shows the question on
 * the UI thread and waits for the answer, so the window stays live. When the display is gone the
 * answer is "no".
 */
public final class TrustServerQuestion implements PinningTrustManager.FirstUse {
    private final Supplier<Display> displays;

    /** @param displays gives the workbench's display when asked (it may not exist yet at wiring) */
    public TrustServerQuestion(Supplier<Display> displays) {
        this.displays = displays;
    }

    @Override
    public boolean accept(String hostPort, String fingerprint) {
        AtomicBoolean answer = new AtomicBoolean(false);
        Display display = displays.get();
        if (display == null || display.isDisposed()) {
            return false;
        }
        Runnable ask = () -> {
            Shell parent = display.getActiveShell();
            answer.set(MessageDialog.openQuestion(parent, "Trust this IDLE server?", message(hostPort,
                    fingerprint)));
        };
        if (Display.getCurrent() == display) {
            ask.run();
        } else {
            display.syncExec(() -> {
                if (!display.isDisposed()) {
                    ask.run();
                }
            });
        }
        return answer.get();
    }

    /** The question's text (public for tests). */
    public static String message(String hostPort, String fingerprint) {
        return "This computer has not connected to the IDLE server at " + hostPort
                + " before. Its TLS key has the fingerprint\n\n    " + fingerprint + "\n\n"
                + "The server's admin sees the same fingerprint when the server starts. If they "
                + "match, trust it: IDLE will remember the key and refuse any other key for this "
                + "server from now on.\n\nTrust this server?";
    }
}
