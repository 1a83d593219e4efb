package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.ui.dialogs.TrustServerQuestion;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The first-use question for a server's TLS key: asked on the UI thread while the connecting
 * thread waits, showing the fingerprint, and answered by the user's button.
 */
class TrustServerQuestionTest {
    private static Display display;

    @BeforeAll
    static void open() {
        display = Display.getDefault();
    }

    @Test
    void yesTrustsAndNoRefuses() {
        assertTrue(ask("Yes"));
        assertFalse(ask("No"));
    }

    @Test
    void theQuestionShowsTheFingerprintAndWhereToCheckIt() {
        String text = TrustServerQuestion.message("example.org:8001", "SHA256:abc");
        assertTrue(text.contains("SHA256:abc"));
        assertTrue(text.contains("example.org:8001"));
        assertTrue(text.contains("admin"));
    }

    private static boolean ask(String button) {
        TrustServerQuestion question = new TrustServerQuestion(() -> display);
        // The dialog runs its own event loop inside syncExec, so the "user" presses the button
        // from a timer that runs in that loop.
        String[] title = new String[1];
        Runnable[] press = new Runnable[1];
        press[0] = () -> {
            Shell shell = questionShell();
            if (shell == null) {
                display.timerExec(20, press[0]);
                return;
            }
            title[0] = shell.getText();
            Button b = findButton(shell, button);
            b.notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
        };
        display.timerExec(20, press[0]);
        CompletableFuture<Boolean> answer = CompletableFuture.supplyAsync(
                () -> question.accept("127.0.0.1:8001", "SHA256:fingerprint-for-test"));
        SwtTestSupport.spinUntil(display, Duration.ofSeconds(30), "the answer", answer::isDone);
        assertEquals("Trust this IDLE server?", title[0], "the question was shown");
        return answer.join();
    }

    private static Shell questionShell() {
        for (Shell s : display.getShells()) {
            if (!s.isDisposed() && s.isVisible() && "Trust this IDLE server?".equals(s.getText())) {
                return s;
            }
        }
        return null;
    }

    private static Button findButton(org.eclipse.swt.widgets.Composite parent, String label) {
        for (Control c : parent.getChildren()) {
            if (c instanceof Button b && label.equals(b.getText().replace("&", ""))) {
                return b;
            }
            if (c instanceof org.eclipse.swt.widgets.Composite comp) {
                Button found = findButton(comp, label);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
