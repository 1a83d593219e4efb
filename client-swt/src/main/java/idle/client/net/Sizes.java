package idle.client.net;

import java.util.Locale;

/** Byte counts as a person reads them. */
public final class Sizes {
    private Sizes() {
    }

    /**
     * "300 bytes", "512 KiB", "3.5 MiB"; a rounded figure is followed by the exact count when the
     * rounding could hide the difference to a limit ("4 MiB (4,194,308 bytes)").
     */
    public static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        boolean mib = bytes >= 1 << 20;
        double v = bytes / (double) (mib ? 1 << 20 : 1 << 10);
        String unit = mib ? " MiB" : " KiB";
        if (v == Math.rint(v)) {
            return (long) v + unit;
        }
        String tenth = String.format(Locale.ROOT, "%.1f", v);
        if (tenth.endsWith(".0")) {
            // "4.0 MiB" would read as exactly 4 MiB: say how many bytes it really is.
            return tenth.substring(0, tenth.length() - 2) + unit + " ("
                    + String.format(Locale.ROOT, "%,d", bytes) + " bytes)";
        }
        return tenth + unit;
    }
}
