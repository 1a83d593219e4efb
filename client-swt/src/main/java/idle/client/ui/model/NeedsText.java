package idle.client.ui.model;

import idle.shared.model.ModuleNeed;
import idle.shared.model.PoolModule;
import idle.shared.model.PoolStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * How the queue shows a script's module needs against the pool's aggregated view: per need
 * whether online lenders offer it, like {@code numpy (3 lenders), pandas>=2 (not seen)}. The
 * pool view lists only modules and versions that lenders of at least two users offer (see
 * {@link PoolModule}), so "not seen" means "no lender, or a single one": the server decides at
 * submission. Stateless.
 */
public final class NeedsText {
    private NeedsText() {
    }

    /** What the pool says about one need. */
    public enum Seen {
        /** Offered by online lenders (in a listed version the spec accepts, when it has one). */
        OFFERED,
        /** Offered, but no listed version matches the spec (an unlisted one might). */
        OTHER_VERSIONS,
        /** Not in the pool view. */
        NOT_SEEN,
        /** The pool view is not known yet. */
        UNKNOWN
    }

    /** The verdict for {@code need} in {@code pool} (null: unknown). */
    public static Seen seen(ModuleNeed need, PoolStatus pool) {
        if (pool == null) {
            return Seen.UNKNOWN;
        }
        PoolModule m = pool.module(need.name());
        if (m == null) {
            return Seen.NOT_SEEN;
        }
        if (need.spec().isAny() || m.versions().stream().anyMatch(need.spec()::matches)) {
            return Seen.OFFERED;
        }
        return Seen.OTHER_VERSIONS;
    }

    /**
     * The text of the "Needs" column: "none" when there are none, "…" while they are being read,
     * otherwise each need with the pool's verdict.
     *
     * @param needs the script's needs; null while they are not known
     */
    public static String of(List<ModuleNeed> needs, PoolStatus pool) {
        if (needs == null) {
            return "…";
        }
        if (needs.isEmpty()) {
            return "none (standard library only)";
        }
        List<String> parts = new ArrayList<>();
        for (ModuleNeed n : needs) {
            PoolModule m = pool == null ? null : pool.module(n.name());
            parts.add(n + switch (seen(n, pool)) {
                case OFFERED -> " (" + m.lenders() + (m.lenders() == 1 ? " lender)" : " lenders)");
                case OTHER_VERSIONS -> " (other versions: " + String.join(", ", m.versions()) + ")";
                case NOT_SEEN -> " (not seen)";
                case UNKNOWN -> "";
            });
        }
        return String.join(", ", parts);
    }

    /** True when some need is known not to be in the pool view. */
    public static boolean anyMissing(List<ModuleNeed> needs, PoolStatus pool) {
        if (needs == null || pool == null) {
            return false;
        }
        return needs.stream().anyMatch(n -> seen(n, pool) != Seen.OFFERED);
    }

    /** A tooltip saying what the verdicts mean. */
    public static String explanation() {
        return "Packages the script imports (not in python's standard library), as lenders offer "
                + "them now. The pool shows a package only when lenders of two or more people "
                + "offer it: \"not seen\" means no lender, or only one, has it. The server "
                + "answers for sure when you submit (a refusal names what is missing).";
    }
}
