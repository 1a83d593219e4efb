package idle.bench;

import java.util.Locale;

/**
 * One measured figure next to the baseline measured in the same run.
 *
 * @param id short key, e.g. "remote-run"
 * @param title what was measured
 * @param value the figure
 * @param unit its unit
 * @param baseline the physical limit or reference it is compared with
 * @param baselineWhat what the baseline is
 * @param ratio value/baseline, expressed the way the goal reads (e.g. "x1.18" or "62 %")
 * @param goal the goal in words
 * @param verdict PASS, MISS or SKIP
 * @param notes how it was measured, extra numbers
 */
record Figure(String id, String title, double value, String unit, double baseline,
        String baselineWhat, String ratio, String goal, String verdict, String notes) {

    static Figure skipped(String id, String title, String goal, String why) {
        return new Figure(id, title, Double.NaN, "", Double.NaN, "", "-", goal, "SKIP", why);
    }

    static Figure failed(String id, String title, String goal, Throwable e) {
        return new Figure(id, title, Double.NaN, "", Double.NaN, "", "-", goal, "ERROR",
                e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    String json() {
        return "{\"id\":" + q(id) + ",\"title\":" + q(title) + ",\"value\":" + num(value)
                + ",\"unit\":" + q(unit) + ",\"baseline\":" + num(baseline) + ",\"baselineWhat\":"
                + q(baselineWhat) + ",\"ratio\":" + q(ratio) + ",\"goal\":" + q(goal)
                + ",\"verdict\":" + q(verdict) + ",\"notes\":" + q(notes) + "}";
    }

    static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null"
                : String.format(Locale.ROOT, "%.4f", v);
    }

    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
