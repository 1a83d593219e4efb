package idle.client.ui.resources;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.jface.resource.ResourceManager;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.PaletteData;
import org.eclipse.swt.graphics.RGB;

/**
 * The workbench's icons, drawn from a few geometric shapes at any zoom (so they stay crisp on
 * high-DPI screens) with anti-aliased edges and a transparent background. Images are created
 * through the owning {@link ResourceManager} and disposed with it. UI thread only.
 */
public final class Icons {
    public static final String ADD = "add";
    public static final String SUBMIT = "submit";
    public static final String CANCEL = "cancel";
    public static final String RERUN = "rerun";
    public static final String LEND = "lend";
    public static final String HISTORY = "history";
    public static final String SAVE = "save";
    public static final String FIND = "find";
    public static final String QUEUE = "queue";
    public static final String OUTPUT = "output";
    public static final String LOGIN = "login";
    public static final String REFRESH = "refresh";
    public static final String DOT_GREEN = "dot-green";
    public static final String DOT_ORANGE = "dot-orange";
    public static final String DOT_GREY = "dot-grey";
    public static final String WARNING = "warning";
    /** A verified job's badge: a green disc with a white tick. */
    public static final String VERIFIED = "verified";
    /** A vote still running: a grey ring. */
    public static final String VOTE_PENDING = "vote-pending";

    private static final RGB GREEN = new RGB(46, 139, 87);
    private static final RGB BLUE = new RGB(33, 102, 172);
    private static final RGB RED = new RGB(200, 40, 40);
    private static final RGB GREY = new RGB(120, 120, 120);
    private static final RGB ORANGE = new RGB(230, 140, 20);
    private static final RGB DARK = new RGB(60, 60, 60);

    /** A filled region of the 16x16 design grid. */
    @FunctionalInterface
    interface Shape {
        boolean contains(double x, double y);
    }

    record Layer(Shape shape, RGB colour) {
    }

    private final ResourceManager manager;
    private final Map<String, ImageDescriptor> descriptors = new HashMap<>();

    Icons(ResourceManager manager) {
        this.manager = manager;
    }

    public Image image(String name) {
        return manager.create(descriptor(name));
    }

    /** An icon drawn {@code pixels} wide at 100% zoom (e.g. 48 for a dialog's title image). */
    public Image large(String name, int pixels) {
        return manager.create(descriptors.computeIfAbsent(name + "@" + pixels, n -> {
            List<Layer> layers = layers(name);
            return ImageDescriptor.createFromImageDataProvider(zoom -> rasterize(layers, zoom * pixels / 16));
        }));
    }

    public ImageDescriptor descriptor(String name) {
        return descriptors.computeIfAbsent(name, n -> {
            List<Layer> layers = layers(n);
            return ImageDescriptor.createFromImageDataProvider(zoom -> rasterize(layers, zoom));
        });
    }

    private static List<Layer> layers(String name) {
        return switch (name) {
            case ADD -> List.of(new Layer(or(rect(7, 2, 9, 14), rect(2, 7, 14, 9)), GREEN));
            case SUBMIT -> List.of(new Layer(triangle(4, 2, 4, 14, 14, 8), GREEN));
            case CANCEL -> List.of(new Layer(rect(3, 3, 13, 13), RED));
            case RERUN -> List.of(new Layer(and(ring(8, 8, 3.6, 5.8), not(rect(8, 0, 16, 8))), BLUE),
                    new Layer(triangle(8, 0.5, 8, 7.5, 12.5, 4), BLUE));
            case LEND -> List.of(new Layer(or(and(ring(8, 9, 4.4, 6.2), not(rect(6.2, 0, 9.8, 8))),
                    rect(7.1, 1, 8.9, 8.5)), GREEN));
            case HISTORY -> List.of(new Layer(ring(8, 8, 5.2, 6.8), DARK),
                    new Layer(or(rect(7.3, 4, 8.7, 8.7), rect(7.3, 7.3, 11.5, 8.7)), DARK));
            case SAVE -> List.of(new Layer(or(or(rect(2, 10, 3.6, 14.5), rect(12.4, 10, 14, 14.5)),
                    rect(2, 12.9, 14, 14.5)), DARK),
                    new Layer(or(rect(7.1, 1.5, 8.9, 8), triangle(3.8, 6.5, 12.2, 6.5, 8, 11.2)), BLUE));
            case FIND -> List.of(new Layer(ring(6.5, 6.5, 3.2, 4.8), DARK),
                    new Layer(line(9.5, 9.5, 14.5, 14.5, 1.3), DARK));
            case QUEUE -> List.of(new Layer(or(or(rect(2, 3, 14, 5), rect(2, 7, 14, 9)), rect(2, 11, 14, 13)), DARK));
            case OUTPUT -> List.of(new Layer(and(rect(1.5, 2.5, 14.5, 13.5), not(rect(3, 4, 13, 12))), DARK),
                    new Layer(or(rect(4.5, 6, 10, 7.2), rect(4.5, 8.8, 8, 10)), GREEN));
            case LOGIN -> List.of(new Layer(circle(8, 5, 3.2), BLUE),
                    new Layer(and(circle(8, 16, 7), rect(0, 9.5, 16, 15)), BLUE));
            case REFRESH -> layers(RERUN);
            case DOT_GREEN -> List.of(new Layer(circle(8, 8, 5), GREEN));
            case DOT_ORANGE -> List.of(new Layer(circle(8, 8, 5), ORANGE));
            case DOT_GREY -> List.of(new Layer(circle(8, 8, 5), GREY));
            case WARNING -> List.of(new Layer(triangle(8, 1, 1, 15, 15, 15), ORANGE),
                    new Layer(or(rect(7.2, 5.5, 8.8, 10.5), rect(7.2, 11.8, 8.8, 13.3)), new RGB(255, 255, 255)));
            case VERIFIED -> List.of(new Layer(circle(8, 8, 7), GREEN),
                    new Layer(or(line(4.4, 8.3, 7, 10.9, 1.15), line(7, 10.9, 11.8, 5.4, 1.15)),
                            new RGB(255, 255, 255)));
            case VOTE_PENDING -> List.of(new Layer(ring(8, 8, 4, 5.8), GREY),
                    new Layer(circle(8, 8, 1.6), GREY));
            default -> throw new IllegalArgumentException("no icon " + name);
        };
    }

    /** Draws the layers at {@code zoom} percent with 4x4 supersampling per pixel. */
    static ImageData rasterize(List<Layer> layers, int zoom) {
        int size = Math.max(16, Math.round(16 * zoom / 100f));
        double scale = 16.0 / size;
        ImageData data = new ImageData(size, size, 24, new PaletteData(0xFF0000, 0xFF00, 0xFF));
        byte[] alpha = new byte[size * size];
        final int n = 4;
        for (int py = 0; py < size; py++) {
            for (int px = 0; px < size; px++) {
                double r = 0, g = 0, b = 0;
                int covered = 0;
                for (int sy = 0; sy < n; sy++) {
                    for (int sx = 0; sx < n; sx++) {
                        double x = (px + (sx + 0.5) / n) * scale;
                        double y = (py + (sy + 0.5) / n) * scale;
                        RGB c = null;
                        for (Layer layer : layers) {
                            if (layer.shape.contains(x, y)) {
                                c = layer.colour;
                            }
                        }
                        if (c != null) {
                            covered++;
                            r += c.red;
                            g += c.green;
                            b += c.blue;
                        }
                    }
                }
                if (covered > 0) {
                    data.setPixel(px, py, ((int) (r / covered) << 16) | ((int) (g / covered) << 8)
                            | (int) (b / covered));
                    alpha[py * size + px] = (byte) (255 * covered / (n * n));
                }
            }
        }
        data.alphaData = alpha;
        return data;
    }

    static Shape rect(double x0, double y0, double x1, double y1) {
        return (x, y) -> x >= x0 && x < x1 && y >= y0 && y < y1;
    }

    static Shape circle(double cx, double cy, double r) {
        return (x, y) -> (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
    }

    static Shape ring(double cx, double cy, double inner, double outer) {
        return (x, y) -> {
            double d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            return d <= outer * outer && d >= inner * inner;
        };
    }

    static Shape line(double x0, double y0, double x1, double y1, double halfWidth) {
        return (x, y) -> {
            double dx = x1 - x0, dy = y1 - y0;
            double t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
            double ex = x0 + t * dx - x, ey = y0 + t * dy - y;
            return ex * ex + ey * ey <= halfWidth * halfWidth;
        };
    }

    static Shape triangle(double ax, double ay, double bx, double by, double cx, double cy) {
        return (x, y) -> {
            double d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
            double d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
            double d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
            boolean neg = d1 < 0 || d2 < 0 || d3 < 0;
            boolean pos = d1 > 0 || d2 > 0 || d3 > 0;
            return !(neg && pos);
        };
    }

    static Shape or(Shape a, Shape b) {
        return (x, y) -> a.contains(x, y) || b.contains(x, y);
    }

    static Shape and(Shape a, Shape b) {
        return (x, y) -> a.contains(x, y) && b.contains(x, y);
    }

    static Shape not(Shape a) {
        return (x, y) -> !a.contains(x, y);
    }
}
