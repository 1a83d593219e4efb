package idle.client.ui;

import idle.client.ui.resources.IdleResources;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of tests of the workbench's widgets on their own (no server): a shell of the given
 * title and size with the workbench's resources and a background runner whose failures land in
 * {@link #reported}; made before each test on the UI thread (the test's), disposed after it.
 */
abstract class WidgetShellBase {
    private final String title;
    private final int width;
    private final int height;
    protected Display display;
    protected Shell shell;
    protected IdleResources resources;
    protected Background background;
    /** What the background runner reported as failed ("action: failure"). */
    protected final List<String> reported = new ArrayList<>();

    WidgetShellBase(String title, int width, int height) {
        this.title = title;
        this.width = width;
        this.height = height;
    }

    @BeforeEach
    final void openShell() {
        display = Display.getDefault();
        shell = new Shell(display);
        shell.setLayout(new FillLayout());
        shell.setSize(width, height);
        shell.setText(title);
        resources = new IdleResources(display);
        background = new Background(new UiThread(display), (a, f, i) -> reported.add(a + ": " + f));
    }

    @AfterEach
    final void closeShell() {
        background.close();
        shell.dispose();
        resources.dispose();
    }
}
