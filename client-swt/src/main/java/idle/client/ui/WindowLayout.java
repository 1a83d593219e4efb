package idle.client.ui;

import idle.client.ui.views.OutputTabs;
import java.util.List;
import java.util.Optional;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Shell;

/**
 * The workbench window's layout kept between runs in a {@link SettingsStore}: the window's bounds
 * and whether it was maximized, the weights of the main and the queue sashes, the view in front
 * and the output tabs that were open (and which were selected). Saved values that make no sense
 * (no weights, a place off the screen) give way to defaults.
 *
 * <p>UI thread only; the store is written to disk on a worker of {@link Background}.
 */
final class WindowLayout {
    /**
     * Views over output: the queue view holds three lists and two rows of choices, which at an
     * even split showed one script and no job at all in the default window; output still gets
     * about ten lines.
     */
    private static final int[] MAIN_WEIGHTS = {68, 32};
    /** The default window when nothing is saved, if the screen has room for it. */
    private static final Point DEFAULT_SIZE = new Point(1280, 960);
    /** What a default window leaves of the screen (panels, title bar). */
    private static final int SCREEN_MARGIN = 40;

    private final SettingsStore store;
    private final Background background;

    WindowLayout(SettingsStore store, Background background) {
        this.store = store;
        this.background = background;
    }

    /** The saved size of the window, else {@link #DEFAULT_SIZE} or as much of it as fits on {@code screen}. */
    Point initialSize(Rectangle screen) {
        return new Point(store.getInt("window.width", Math.min(DEFAULT_SIZE.x, screen.width - SCREEN_MARGIN)),
                store.getInt("window.height", Math.min(DEFAULT_SIZE.y, screen.height - SCREEN_MARGIN)));
    }

    /** The saved place of the window, kept at least partly on {@code screen}; empty when none. */
    Optional<Point> initialLocation(Rectangle screen) {
        int x = store.getInt("window.x", Integer.MIN_VALUE);
        int y = store.getInt("window.y", Integer.MIN_VALUE);
        if (x == Integer.MIN_VALUE || y == Integer.MIN_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new Point(Math.max(screen.x, Math.min(x, screen.x + screen.width - 200)),
                Math.max(screen.y, Math.min(y, screen.y + screen.height - 200))));
    }

    boolean maximized() {
        return store.getBoolean("window.maximized", false);
    }

    /** Puts the saved view in front (of three) and applies the saved sash weights. */
    void restore(SashForm main, SashForm queue, CTabFolder views) {
        views.setSelection(Math.max(0, Math.min(2, store.getInt("views.selected", 0))));
        int[] weights = store.getInts("sash.main");
        main.setWeights(weights.length == 2 && weights[0] > 0 && weights[1] > 0 ? weights : MAIN_WEIGHTS);
        int[] queueWeights = store.getInts("sash.queue");
        if (queueWeights.length == 2 && queueWeights[0] > 0 && queueWeights[1] > 0) {
            queue.setWeights(queueWeights);
        }
    }

    /** Opens the output tabs that were open, unless some are open already. */
    void restoreTabs(OutputTabs outputs) {
        List<Long> open = store.getLongs("tabs.open");
        if (open.isEmpty() || outputs.hasTabs()) {
            return;
        }
        List<Long> selected = store.getLongs("tabs.selected");
        for (long id : open) {
            outputs.open(id, "job " + id, selected.contains(id));
        }
    }

    /** Keeps the window's bounds, sash weights, view in front and open tabs. */
    void save(Shell shell, SashForm main, SashForm queue, CTabFolder views, OutputTabs outputs) {
        if (!shell.getMaximized()) {
            Rectangle b = shell.getBounds();
            store.putInt("window.x", b.x);
            store.putInt("window.y", b.y);
            store.putInt("window.width", b.width);
            store.putInt("window.height", b.height);
        }
        store.putBoolean("window.maximized", shell.getMaximized());
        store.putInts("sash.main", main.getWeights());
        store.putInts("sash.queue", queue.getWeights());
        store.putInt("views.selected", views.getSelectionIndex());
        store.putLongs("tabs.open", outputs.openJobIds());
        store.putLongs("tabs.selected", outputs.selected().map(t -> List.of(t.jobId())).orElse(List.of()));
        background.runQuietly("save the layout", () -> {
            store.save();
            return null;
        });
    }
}
