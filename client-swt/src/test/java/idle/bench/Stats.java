package idle.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles of samples (nearest rank). */
final class Stats {
    private Stats() {
    }

    static double percentile(List<Double> samples, double p) {
        double[] a = samples.stream().mapToDouble(Double::doubleValue).toArray();
        return percentile(a, p);
    }

    static double percentile(double[] a, double p) {
        if (a.length == 0) {
            return Double.NaN;
        }
        double[] s = a.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    static double median(List<Double> samples) {
        return percentile(samples, 50);
    }
}
