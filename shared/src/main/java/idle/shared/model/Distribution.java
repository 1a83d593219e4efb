package idle.shared.model;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One installed python distribution of a lender environment, as {@code importlib.metadata} sees
 * it.
 *
 * @param name its name as its metadata spells it, like {@code scikit-learn}; a
 *     {@link ModuleNeed#isName name}
 * @param version its version, like {@code 1.3.2}; letters, digits and {@code . + ! _ -}, at most
 *     {@link #MAX_VERSION} characters; empty when its metadata has none
 * @param modules the importable top-level modules it provides, like {@code [sklearn]}; each
 *     also in its environment's module list
 */
public record Distribution(String name, String version, List<String> modules) {
    /** Longest version, in characters. */
    public static final int MAX_VERSION = 32;
    private static final Pattern VERSION = Pattern.compile("([A-Za-z0-9][A-Za-z0-9.+!_-]{0,31})?");

    public Distribution {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        modules = List.copyOf(modules);
        if (!ModuleNeed.isName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a distribution name");
        }
        if (!isVersion(version)) {
            throw new IllegalArgumentException("'" + version + "' is not a version");
        }
    }

    /** True when {@code s} may be a distribution's version on the wire. */
    public static boolean isVersion(String s) {
        return s != null && VERSION.matcher(s).matches();
    }
}
