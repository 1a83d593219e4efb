package idle.shared.packages;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A version range as PEP 440 writes it: comma-joined clauses that must all hold, each an operator
 * and a version: {@code ==}, {@code !=}, {@code >=}, {@code <=}, {@code >}, {@code <}, {@code ~=}
 * (compatible release: {@code ~=1.4.2} is {@code >=1.4.2, ==1.4.*}), and a trailing {@code .*}
 * after {@code ==} or {@code !=} for a prefix of release segments ({@code ==1.26.*}). Versions
 * compare as {@link Version} does. The empty spec matches every version, also one that does not
 * parse; a non-empty spec matches only versions that parse.
 *
 * <p>Left out of PEP 440 (refused by {@link #parse} with a message): {@code ===}, and a pre-release
 * is not excluded unless asked for: a lender offers what it installed, and {@code >=1.0} accepts
 * an installed {@code 2.0rc1}. {@code >1.7} accepts {@code 1.7.post1}.
 *
 * <p>{@link #toString} is the canonical text: clauses in the given order, no spaces, joined by
 * commas; parsing it gives an equal spec. Immutable.
 */
public record VersionSpec(List<Clause> clauses) {
    /** The spec that accepts every version. */
    public static final VersionSpec ANY = new VersionSpec(List.of());
    /** Longest spec text accepted, in characters. */
    public static final int MAX_TEXT = 200;
    /** Most clauses in one spec. */
    public static final int MAX_CLAUSES = 8;

    /** A comparison operator. */
    public enum Op {
        EQ("=="), NE("!="), GE(">="), LE("<="), GT(">"), LT("<"), COMPATIBLE("~=");

        final String text;

        Op(String text) {
            this.text = text;
        }
    }

    /**
     * One clause.
     *
     * @param op the operator
     * @param version the version operand (its release without the {@code .*})
     * @param prefix true for {@code ==V.*} and {@code !=V.*}
     */
    public record Clause(Op op, Version version, boolean prefix) {
        public Clause {
            Objects.requireNonNull(op);
            Objects.requireNonNull(version);
            if (prefix && op != Op.EQ && op != Op.NE) {
                throw new IllegalArgumentException(".* only follows == or !=");
            }
        }

        boolean matches(Version v) {
            Version pub = version.local().isEmpty() ? v.public_() : v;
            return switch (op) {
                case EQ -> prefix ? prefixMatches(v) : pub.compareTo(version) == 0;
                case NE -> prefix ? !prefixMatches(v) : pub.compareTo(version) != 0;
                case GE -> pub.compareTo(version) >= 0;
                case LE -> pub.compareTo(version) <= 0;
                case GT -> pub.compareTo(version) > 0;
                case LT -> pub.compareTo(version) < 0;
                case COMPATIBLE -> pub.compareTo(version) >= 0
                        && samePrefix(v, version.release().length - 1);
            };
        }

        private boolean prefixMatches(Version v) {
            return v.epoch() == version.epoch() && samePrefix(v, version.release().length);
        }

        private boolean samePrefix(Version v, int segments) {
            for (int i = 0; i < segments; i++) {
                if (v.segment(i) != version.segment(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return op.text + version + (prefix ? ".*" : "");
        }
    }

    public VersionSpec {
        clauses = List.copyOf(clauses);
        if (clauses.size() > MAX_CLAUSES) {
            throw new IllegalArgumentException("more than " + MAX_CLAUSES + " version clauses");
        }
    }

    /**
     * Parses a spec like {@code ">=1.24,<2"} (spaces allowed around the parts); the empty string is
     * {@link #ANY}.
     *
     * @throws IllegalArgumentException saying what is wrong, for a person
     */
    public static VersionSpec parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("version spec longer than " + MAX_TEXT
                    + " characters");
        }
        String t = text.strip();
        if (t.isEmpty()) {
            return ANY;
        }
        List<Clause> out = new ArrayList<>();
        for (String part : t.split(",", -1)) {
            out.add(clause(part.strip(), text));
        }
        return new VersionSpec(out);
    }

    private static Clause clause(String part, String whole) {
        if (part.startsWith("===")) {
            throw new IllegalArgumentException("'===' (arbitrary equality) is not supported: "
                    + whole);
        }
        Op op = null;
        for (Op o : new Op[] {Op.EQ, Op.NE, Op.GE, Op.LE, Op.COMPATIBLE, Op.GT, Op.LT}) {
            if (part.startsWith(o.text)) {
                op = o;
                break;
            }
        }
        if (op == null) {
            throw new IllegalArgumentException("'" + part + "' in '" + whole
                    + "' does not start with ==, !=, >=, <=, >, < or ~=");
        }
        String v = part.substring(op.text.length()).strip();
        boolean prefix = v.endsWith(".*");
        if (prefix) {
            if (op != Op.EQ && op != Op.NE) {
                throw new IllegalArgumentException("'.*' only follows == or !=: " + whole);
            }
            v = v.substring(0, v.length() - 2);
        }
        Version version = Version.parse(v);
        if (version == null || v.isEmpty()) {
            throw new IllegalArgumentException("'" + v + "' in '" + whole
                    + "' is not a version (like 1.24 or 2.0rc1)");
        }
        if (prefix && (version.isPreRelease() || version.post() >= 0
                || !version.local().isEmpty())) {
            throw new IllegalArgumentException("'.*' follows release numbers only: " + whole);
        }
        if (op == Op.COMPATIBLE && version.release().length < 2) {
            throw new IllegalArgumentException("~= needs at least two release numbers (~=1.4): "
                    + whole);
        }
        return new Clause(op, version, prefix);
    }

    /** True when this spec accepts the version {@code text} (see the class comment). */
    public boolean matches(String text) {
        if (clauses.isEmpty()) {
            return true;
        }
        Version v = Version.parse(text);
        return v != null && matches(v);
    }

    /** True when every clause accepts {@code v}. */
    public boolean matches(Version v) {
        for (Clause c : clauses) {
            if (!c.matches(v)) {
                return false;
            }
        }
        return true;
    }

    public boolean isAny() {
        return clauses.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Clause c : clauses) {
            sb.append(sb.isEmpty() ? "" : ",").append(c);
        }
        return sb.toString();
    }
}
