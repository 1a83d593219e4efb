package idle.client.ui.resources;

import idle.shared.model.JobState;
import idle.shared.model.Verification;
import java.util.Objects;
import org.eclipse.jface.resource.ColorDescriptor;
import org.eclipse.jface.resource.FontDescriptor;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.resource.LocalResourceManager;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Display;

/**
 * Owns every colour, font and image the workbench uses, so nothing native leaks: they are made
 * on first use and disposed together with {@link #dispose()} (called when the display goes).
 * UI thread only.
 */
public final class IdleResources {
    private static final RGB STDERR = new RGB(176, 0, 32);
    private static final RGB NOTE = new RGB(110, 110, 110);
    private static final RGB WARNING_BG = new RGB(255, 243, 205);
    private static final RGB WARNING_FG = new RGB(102, 77, 3);
    private static final RGB OK = new RGB(27, 122, 52);
    private static final RGB RUNNING = new RGB(21, 94, 173);
    private static final RGB FAILED = new RGB(176, 0, 32);
    private static final RGB CANCELLED = new RGB(153, 92, 0);

    private final LocalResourceManager manager;
    private final Icons icons;

    public IdleResources(Display display) {
        Objects.requireNonNull(display, "display");
        this.manager = new LocalResourceManager(JFaceResources.getResources(display));
        this.icons = new Icons(manager);
    }

    /** Colour of standard-error text in output tabs. */
    public Color stderr() {
        return manager.create(ColorDescriptor.createFrom(STDERR));
    }

    /** Colour of notes the workbench adds to output ("output trimmed", "restarted"). */
    public Color note() {
        return manager.create(ColorDescriptor.createFrom(NOTE));
    }

    public Color warningBackground() {
        return manager.create(ColorDescriptor.createFrom(WARNING_BG));
    }

    public Color warningForeground() {
        return manager.create(ColorDescriptor.createFrom(WARNING_FG));
    }

    /** Foreground for a job state in tables; null for the default. */
    public Color stateColor(JobState state) {
        return switch (state) {
            case QUEUED -> null;
            case RUNNING -> manager.create(ColorDescriptor.createFrom(RUNNING));
            case SUCCEEDED -> manager.create(ColorDescriptor.createFrom(OK));
            case FAILED, LOST, LIMIT_EXCEEDED, UNVERIFIED -> manager.create(
                    ColorDescriptor.createFrom(FAILED));
            case CANCELLED -> manager.create(ColorDescriptor.createFrom(CANCELLED));
        };
    }

    /** The image for a job's vote: the verified badge, a warning, a pending ring; null for none. */
    public Image voteImage(Verification vote) {
        return switch (vote.state()) {
            case NONE -> null;
            case PENDING -> image(Icons.VOTE_PENDING);
            case VERIFIED -> image(Icons.VERIFIED);
            case UNVERIFIED -> image(Icons.WARNING);
        };
    }

    /** Foreground for a job's vote: green when verified, the warning colour without a majority. */
    public Color voteColor(Verification vote) {
        return switch (vote.state()) {
            case NONE, PENDING -> null;
            case VERIFIED -> success();
            case UNVERIFIED -> warningForeground();
        };
    }

    public Color failure() {
        return manager.create(ColorDescriptor.createFrom(FAILED));
    }

    public Color success() {
        return manager.create(ColorDescriptor.createFrom(OK));
    }

    /** The monospace font for output. */
    public Font mono() {
        return JFaceResources.getTextFont();
    }

    /** The dialog font in bold. */
    public Font bold() {
        return manager.create(FontDescriptor.createFrom(JFaceResources.getDialogFont()).setStyle(SWT.BOLD));
    }

    /** The dialog font, bold and larger: headings such as the lender panel's title. */
    public Font heading() {
        return manager.create(FontDescriptor.createFrom(JFaceResources.getDialogFont())
                .setStyle(SWT.BOLD).increaseHeight(3));
    }

    public Icons icons() {
        return icons;
    }

    /** A registry image by name, see {@link Icons}. */
    public Image image(String name) {
        return icons.image(name);
    }

    public void dispose() {
        manager.dispose();
    }
}
