package idle.shared.model;

/** CPU time as people read it: "45 s", "12 min", "1 h 02 min". Stateless. */
public final class CpuTime {
    private CpuTime() {
    }

    /** {@code millis} (negative counts as 0) in seconds, minutes, or hours and minutes. */
    public static String format(long millis) {
        long s = Math.max(0, millis) / 1000;
        if (s < 60) {
            return s + " s";
        }
        long min = s / 60;
        if (min < 60) {
            return min + " min";
        }
        return min / 60 + " h " + String.format("%02d", min % 60) + " min";
    }
}
