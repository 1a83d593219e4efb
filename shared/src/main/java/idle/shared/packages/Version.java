package idle.shared.packages;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A python package version, compared the PEP 440 way for the forms real packages use: an optional
 * epoch ({@code 1!}), numeric release segments ({@code 1.24.2}, compared numerically with missing
 * segments as zero, so {@code 1.24 == 1.24.0}), an optional pre-release ({@code a1}, {@code b2},
 * {@code rc1}; also spelled {@code alpha}, {@code beta}, {@code c}, {@code pre}, {@code preview}),
 * post-release ({@code .post1}, {@code -1}) and development release ({@code .dev3}), and a local
 * part ({@code +ubuntu1}) that only breaks ties. Order within a release:
 * {@code 1.0.dev1 < 1.0a1 < 1.0b1 < 1.0rc1 < 1.0 < 1.0.post1}. A string that is none of these
 * (e.g. {@code "2023-debian"}) does not parse; see {@link #parse}.
 *
 * @param epoch the epoch, 0 when absent
 * @param release the release segments, at least one
 * @param phase 0 a development release of the final version (no pre-release), 1 alpha, 2 beta,
 *     3 release candidate, 4 final
 * @param phaseNumber the pre-release number (0 when none)
 * @param post the post-release number, -1 when none
 * @param dev the development release number, {@link Integer#MAX_VALUE} when none
 * @param local the local part without its {@code +}, empty when none
 */
public record Version(int epoch, int[] release, int phase, int phaseNumber, int post, int dev,
        String local) implements Comparable<Version> {
    /** Most release segments accepted (more are refused as not a version). */
    static final int MAX_SEGMENTS = 12;
    private static final Pattern FORM = Pattern.compile(
            "v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)"
                    + "(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\\d*))?"
                    + "(?:(?:-(\\d+))|(?:[-_.]?(?:post|rev|r)[-_.]?(\\d*)))?"
                    + "(?:[-_.]?(dev)[-_.]?(\\d*))?"
                    + "(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?");

    public Version {
        release = release.clone();
    }

    /** The version {@code text} stands for, or null when it is not one of the forms above. */
    public static Version parse(String text) {
        if (text == null || text.length() > 64) {
            return null;
        }
        Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        try {
            int epoch = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
            String[] parts = m.group(2).split("\\.");
            if (parts.length > MAX_SEGMENTS) {
                return null;
            }
            int[] release = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                release[i] = Integer.parseInt(parts[i]);
            }
            int phase = 4;
            int phaseNumber = 0;
            if (m.group(3) != null) {
                phase = switch (m.group(3)) {
                    case "a", "alpha" -> 1;
                    case "b", "beta" -> 2;
                    default -> 3; // c, rc, pre, preview
                };
                phaseNumber = number(m.group(4));
            }
            int post = m.group(5) != null ? Integer.parseInt(m.group(5))
                    : m.group(6) != null ? number(m.group(6)) : -1;
            int dev = m.group(7) != null ? number(m.group(8)) : Integer.MAX_VALUE;
            if (dev != Integer.MAX_VALUE && phase == 4 && post < 0) {
                phase = 0; // 1.0.dev1 comes before 1.0a1
            }
            return new Version(epoch, release, phase, phaseNumber, post, dev,
                    m.group(9) == null ? "" : m.group(9));
        } catch (NumberFormatException e) {
            return null; // a segment over 2^31
        }
    }

    private static int number(String digits) {
        return digits == null || digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    /** Release segment {@code i}, zero past the end. */
    int segment(int i) {
        return i < release.length ? release[i] : 0;
    }

    /** The version without its local part: what a spec without a local part compares. */
    Version public_() {
        return local.isEmpty() ? this : new Version(epoch, release, phase, phaseNumber, post, dev, "");
    }

    /** True for alpha, beta, release-candidate and development releases. */
    public boolean isPreRelease() {
        return phase < 4 || dev != Integer.MAX_VALUE;
    }

    @Override
    public int compareTo(Version o) {
        int c = Integer.compare(epoch, o.epoch);
        for (int i = 0; c == 0 && i < Math.max(release.length, o.release.length); i++) {
            c = Integer.compare(segment(i), o.segment(i));
        }
        if (c == 0) {
            c = Integer.compare(phase, o.phase);
        }
        if (c == 0) {
            c = Integer.compare(phaseNumber, o.phaseNumber);
        }
        if (c == 0) {
            c = Integer.compare(post, o.post);
        }
        if (c == 0) {
            c = Integer.compare(dev, o.dev);
        }
        if (c == 0) {
            c = local.compareTo(o.local);
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        int h = epoch;
        int n = release.length;
        while (n > 1 && release[n - 1] == 0) {
            n--; // 1.0 equals 1.0.0: trailing zeros do not count
        }
        h = 31 * h + Arrays.hashCode(Arrays.copyOf(release, n));
        return 31 * (31 * (31 * (31 * h + phase) + phaseNumber) + post) + dev + local.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (epoch != 0) {
            sb.append(epoch).append('!');
        }
        for (int i = 0; i < release.length; i++) {
            sb.append(i == 0 ? "" : ".").append(release[i]);
        }
        if (phase >= 1 && phase <= 3) {
            sb.append(phase == 1 ? "a" : phase == 2 ? "b" : "rc").append(phaseNumber);
        }
        if (post >= 0) {
            sb.append(".post").append(post);
        }
        if (dev != Integer.MAX_VALUE) {
            sb.append(".dev").append(dev);
        }
        if (!local.isEmpty()) {
            sb.append('+').append(local);
        }
        return sb.toString();
    }
}
