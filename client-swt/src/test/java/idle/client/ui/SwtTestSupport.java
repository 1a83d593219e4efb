package idle.client.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;

/**
 * Helpers for UI tests: the test thread owns the Display, so "waiting" means running the event
 * loop until a condition holds (with a deadline), never sleeping.
 */
public final class SwtTestSupport {
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private SwtTestSupport() {
    }

    /** Runs the event loop until {@code condition} holds; fails with {@code what} after {@code timeout}. */
    public static void spinUntil(Display display, Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            if (!display.readAndDispatch()) {
                // Wake up at least every 20 ms so conditions fed by other threads are re-checked.
                display.timerExec(20, () -> { });
                display.sleep();
            }
        }
    }

    /** The index of the column of {@code table} headed {@code name}; fails when there is none. */
    public static int column(org.eclipse.swt.widgets.Table table, String name) {
        for (int i = 0; i < table.getColumnCount(); i++) {
            if (table.getColumn(i).getText().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no column " + name);
    }

    /** Runs the event loop for pending events only (no waiting). */
    public static void drainEvents(Display display) {
        while (display.readAndDispatch()) {
            // keep going
        }
    }

    /** Runs the event loop for {@code millis} ms: for letting painting settle before a screenshot. */
    public static void settle(Display display, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (!display.readAndDispatch()) {
                display.timerExec(10, () -> { });
                display.sleep();
            }
        }
    }

    /** Saves what the screen shows of {@code shell} (and anything over it) as target/screenshots/NAME.png. */
    public static Path screenshot(Shell shell, String name) throws Exception {
        Display display = shell.getDisplay();
        settle(display, 300);
        Rectangle b = shell.getBounds();
        Rectangle screen = display.getBounds();
        Rectangle r = b.intersection(screen);
        Image image = new Image(display, r.width, r.height);
        GC gc = new GC(display);
        try {
            gc.copyArea(image, r.x, r.y);
        } finally {
            gc.dispose();
        }
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            ImageLoader loader = new ImageLoader();
            ImageData data = image.getImageData();
            loader.data = new ImageData[] {data};
            loader.save(file.toString(), SWT.IMAGE_PNG);
            return file;
        } finally {
            image.dispose();
        }
    }
}
