package idle.client.ui;

import java.util.Objects;
import org.eclipse.swt.SWTException;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Widget;

/**
 * The one way from any thread back to the UI thread. Work is dropped, silently, when the display
 * or the widget it is for has been disposed by the time it runs: a result that arrives after its
 * view closed is of no use to anyone.
 */
public final class UiThread {
    private final Display display;

    public UiThread(Display display) {
        this.display = Objects.requireNonNull(display, "display");
    }

    public Display display() {
        return display;
    }

    /**
     * Runs {@code work} on the UI thread soon, unless {@code owner} (may be null) or the display
     * is disposed by then. Any thread.
     */
    public void async(Widget owner, Runnable work) {
        if (display.isDisposed()) {
            return;
        }
        try {
            display.asyncExec(() -> {
                if (owner != null && owner.isDisposed()) {
                    return;
                }
                work.run();
            });
        } catch (SWTException disposedMeanwhile) {
            // The display went away between the check and the call: drop the work.
        }
    }

    /**
     * Runs {@code work} on the UI thread every {@code millis} ms while {@code owner} lives. UI
     * thread only.
     */
    public void every(int millis, Widget owner, Runnable work) {
        checkUiThread();
        display.timerExec(millis, new Runnable() {
            @Override
            public void run() {
                if (owner.isDisposed() || display.isDisposed()) {
                    return;
                }
                work.run();
                if (!owner.isDisposed()) {
                    display.timerExec(millis, this);
                }
            }
        });
    }

    /** True on the UI thread. Any thread. */
    public boolean isUiThread() {
        return !display.isDisposed() && display.getThread() == Thread.currentThread();
    }

    /** Throws when not called on the UI thread: guards the UI-thread-only models. */
    public void checkUiThread() {
        if (!isUiThread()) {
            throw new IllegalStateException("not on the UI thread: " + Thread.currentThread().getName());
        }
    }
}
