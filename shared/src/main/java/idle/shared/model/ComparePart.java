package idle.shared.model;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A part of a job's result that a verified job's replicas must agree on. On the wire a set of
 * parts travels as a u8 bit mask, bit {@code ordinal()} per part ({@link #mask}); 0 means "all".
 */
public enum ComparePart {
    /** The exit code (or the limit the process hit, or that the lender could not run it). */
    EXIT,
    /** The bytes the script wrote to stdout. */
    STDOUT,
    /** The bytes the script wrote to stderr. */
    STDERR,
    /** Every output file: the same names, each with the same bytes. */
    FILES;

    /** Every part: what is compared unless the runner narrows it. */
    public static final Set<ComparePart> ALL = Set.copyOf(EnumSet.allOf(ComparePart.class));
    /** The bits a mask may have. */
    public static final int ALL_BITS = (1 << values().length) - 1;

    /** The parts as a wire mask; an empty set or every part is {@code 0} ("all"). */
    public static int mask(Set<ComparePart> parts) {
        int m = 0;
        for (ComparePart p : parts) {
            m |= 1 << p.ordinal();
        }
        return m == ALL_BITS ? 0 : m;
    }

    /** The parts a wire mask names; 0 is all of them. Bits beyond {@link #ALL_BITS} are an error. */
    public static Set<ComparePart> ofMask(int mask) {
        if ((mask & ~ALL_BITS) != 0) {
            throw new IllegalArgumentException("unknown compare bits " + Integer.toBinaryString(mask)
                    + " (known: exit=1, stdout=2, stderr=4, files=8)");
        }
        if (mask == 0) {
            return ALL;
        }
        EnumSet<ComparePart> s = EnumSet.noneOf(ComparePart.class);
        for (ComparePart p : values()) {
            if ((mask & (1 << p.ordinal())) != 0) {
                s.add(p);
            }
        }
        return Set.copyOf(s);
    }

    /**
     * Parses a comma list as typed ({@code exit,stdout,files}; case ignored, blanks around names
     * allowed).
     *
     * @throws IllegalArgumentException naming the unknown part and the known ones
     */
    public static Set<ComparePart> parse(String list) {
        EnumSet<ComparePart> s = EnumSet.noneOf(ComparePart.class);
        for (String part : list.split(",", -1)) {
            String p = part.strip().toUpperCase(Locale.ROOT);
            try {
                s.add(valueOf(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown part to compare '" + part.strip()
                        + "' (known: exit, stdout, stderr, files)");
            }
        }
        return Set.copyOf(s);
    }

    /** The parts as typed, in order: {@code exit,stdout}. */
    public static String text(Set<ComparePart> parts) {
        StringBuilder sb = new StringBuilder();
        for (ComparePart p : values()) {
            if (parts.contains(p)) {
                sb.append(sb.isEmpty() ? "" : ",").append(p.name().toLowerCase(Locale.ROOT));
            }
        }
        return sb.toString();
    }
}
