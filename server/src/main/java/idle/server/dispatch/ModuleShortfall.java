package idle.server.dispatch;

import idle.shared.model.JobNeeds;
import idle.shared.model.ModuleNeed;
import idle.shared.model.PoolModule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The NLA reason for a job whose module needs no online lender meets: it names what is missing
 * and says what the pool has instead, like {@code no lender offers pandas (4 lenders online; 2
 * offer numpy 1.26.4)}. Per need it counts the lenders that have the module at all; a version is
 * named only when lenders of at least {@link PoolModule#MIN_OWNERS} different users offer it,
 * as in the pool view, so the reason never tells what one lender alone has installed. Stateless.
 */
final class ModuleShortfall {
    /** Most versions named per module. */
    static final int VERSIONS_NAMED = 3;

    private ModuleShortfall() {
    }

    /**
     * Why the module needs of {@code needs} cannot be met by {@code lenders} (the online ones,
     * at least one), or null when one of their environments has them all (then something else
     * is missing, like the python version or memory).
     */
    static String explain(List<LenderHandle> lenders, JobNeeds needs) {
        List<ModuleNeed> wanted = needs.modules();
        if (wanted.isEmpty()) {
            return null;
        }
        for (LenderHandle l : lenders) {
            for (EnvironmentOffer e : l.environments) {
                if (e.satisfiesModules(needs)) {
                    return null;
                }
            }
        }
        List<ModuleNeed> missing = new ArrayList<>();
        StringBuilder pool = new StringBuilder();
        pool.append(lenders.size()).append(lenders.size() == 1 ? " lender online" : " lenders online");
        for (ModuleNeed n : wanted) {
            int having = 0;
            int satisfying = 0;
            Map<String, Set<String>> usersByVersion = new HashMap<>();
            for (LenderHandle l : lenders) {
                boolean has = false;
                boolean satisfies = false;
                for (EnvironmentOffer e : l.environments) {
                    if (e.has(n.name())) {
                        has = true;
                        satisfies |= e.satisfies(n);
                        for (String v : e.versionsOf(n.name())) {
                            usersByVersion.computeIfAbsent(v, k -> new HashSet<>()).add(l.user);
                        }
                    }
                }
                having += has ? 1 : 0;
                satisfying += satisfies ? 1 : 0;
            }
            if (satisfying == 0) {
                missing.add(n);
            }
            if (satisfying > 0) {
                // what meets this need: its matching versions, or the need itself
                usersByVersion.keySet().removeIf(v -> !n.spec().matches(v));
                List<String> named = PoolModules.versionsWithOwners(usersByVersion, VERSIONS_NAMED);
                pool.append("; ").append(offer(satisfying)).append(named.isEmpty() ? n.toString()
                        : n.name() + " " + String.join(", ", named));
            } else if (having > 0) {
                List<String> named = PoolModules.versionsWithOwners(usersByVersion, VERSIONS_NAMED);
                pool.append("; ").append(offer(having)).append(n.name()).append(named.isEmpty()
                        ? " in another version" : " " + String.join(", ", named));
            }
        }
        if (!missing.isEmpty()) {
            return "no lender offers " + names(missing, ", ") + " (" + pool + ")";
        }
        return "no lender offers " + names(wanted, " and ") + " together in one environment ("
                + pool + ")";
    }

    private static String offer(int lenders) {
        return lenders + (lenders == 1 ? " offers " : " offer ");
    }

    /** The needs as requirement texts ({@code numpy>=1.24}) joined by {@code separator}. */
    static String names(List<ModuleNeed> needs, String separator) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (ModuleNeed n : needs) {
            if (shown == 10) {
                sb.append(separator).append(needs.size() - shown).append(" more");
                break;
            }
            sb.append(shown++ == 0 ? "" : separator).append(n);
        }
        return sb.toString();
    }
}
