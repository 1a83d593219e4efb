package idle.server.dispatch;

import java.util.Locale;

/** Byte counts as people read them in reasons and logs: "2.1 MiB", "512 KiB", "300 bytes". */
public final class Sizes {
    private Sizes() {
    }

    /** {@code bytes} in the largest binary unit it reaches, with one decimal when not whole. */
    public static String of(long bytes) {
        if (bytes >= 1 << 20) {
            return scaled(bytes / 1048576.0) + " MiB";
        }
        if (bytes >= 1 << 10) {
            return scaled(bytes / 1024.0) + " KiB";
        }
        return bytes + " bytes";
    }

    private static String scaled(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
