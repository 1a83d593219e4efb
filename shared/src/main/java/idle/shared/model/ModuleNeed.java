package idle.shared.model;

import idle.shared.packages.VersionSpec;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One python package a job needs: a name and a version range. The name is a top-level import
 * name ({@code numpy}, {@code yaml}, {@code sklearn}) or a distribution name
 * ({@code scikit-learn}, {@code PyYAML}); a lender environment satisfies the need when it can
 * import a top-level module of that name, or else has a distribution of that name (compared
 * the PEP 503 way: case and runs of {@code -_.} do not matter), in a version the spec accepts.
 * The version is that of the distribution providing the module.
 *
 * @param name the module or distribution name, 1 to {@link #MAX_NAME} characters of letters,
 *     digits, {@code _ . -}, starting with a letter, digit or {@code _}
 * @param spec the accepted versions; {@link VersionSpec#ANY} for any
 */
public record ModuleNeed(String name, VersionSpec spec) {
    /** Longest name, in characters (ASCII only). */
    public static final int MAX_NAME = 64;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    public ModuleNeed {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        if (!isName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a package name (letters, "
                    + "digits, _ . -, at most " + MAX_NAME + " characters)");
        }
    }

    /** A need for any version of {@code name}. */
    public static ModuleNeed any(String name) {
        return new ModuleNeed(name, VersionSpec.ANY);
    }

    /** True when {@code s} is a valid module or distribution name. */
    public static boolean isName(String s) {
        return s != null && NAME.matcher(s).matches();
    }

    /**
     * A requirement as a person writes it: a name and an optional spec, like {@code numpy},
     * {@code "numpy>=1.24"}, {@code "pandas >=2, <3"} or {@code "scipy==1.11.*"}.
     *
     * @throws IllegalArgumentException saying what is wrong (extras and markers are refused)
     */
    public static ModuleNeed parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        int i = 0;
        while (i < t.length() && isNameChar(t.charAt(i))) {
            i++;
        }
        String name = t.substring(0, i);
        String rest = t.substring(i).strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' does not start with a package name");
        }
        if (rest.startsWith("[") || rest.contains(";") || rest.contains("@")) {
            throw new IllegalArgumentException("'" + text + "': extras, markers and URLs are not "
                    + "supported; write a name and versions, like numpy>=1.24");
        }
        if (!isName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a package name (letters, "
                    + "digits, _ . -, at most " + MAX_NAME + " characters)");
        }
        return new ModuleNeed(name, VersionSpec.parse(rest));
    }

    private static boolean isNameChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-');
    }

    /** The PEP 503 form of a distribution name: lower case, runs of {@code -_.} as one {@code -}. */
    public static String normalize(String distribution) {
        return distribution.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    /** The requirement as {@link #parse} reads it: {@code numpy>=1.24}, or the bare name. */
    @Override
    public String toString() {
        return name + spec;
    }
}
