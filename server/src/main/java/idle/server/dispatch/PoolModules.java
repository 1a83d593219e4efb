package idle.server.dispatch;

import idle.shared.model.PoolModule;
import idle.shared.model.PoolStatus;
import idle.shared.packages.Version;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pool's modules as {@code GPT} shows them: per module, how many online lenders offer it and
 * in which versions, aggregated so that no single lender is identifiable: a module is listed
 * only when lenders of at least {@link PoolModule#MIN_OWNERS} different users offer it, and a
 * version only when lenders of that many users offer it. At most {@link PoolStatus#MAX_MODULES}
 * modules (the most widely offered), sorted by name.
 *
 * <p>Building the view reads every module of every lender, so it is not done under the state
 * machine's lock, and the last view is kept until the set of online lenders changes.
 * Thread-safe.
 */
final class PoolModules {
    private List<LenderHandle> lastLenders = List.of();
    private List<PoolModule> lastView = List.of();

    /** The view of {@code lenders} (the online ones, in any order that stays stable). */
    synchronized List<PoolModule> of(List<LenderHandle> lenders) {
        if (!lenders.equals(lastLenders)) {
            lastView = build(lenders);
            lastLenders = List.copyOf(lenders);
        }
        return lastView;
    }

    private static final class Tally {
        int lenders;
        final Set<String> users = new HashSet<>();
        final Map<String, Set<String>> usersByVersion = new HashMap<>();
    }

    static List<PoolModule> build(List<LenderHandle> lenders) {
        Map<String, Tally> tallies = new HashMap<>();
        for (LenderHandle l : lenders) {
            Set<String> counted = new HashSet<>();
            for (EnvironmentOffer e : l.environments) {
                for (String m : e.moduleNames()) {
                    Tally t = tallies.computeIfAbsent(m, k -> new Tally());
                    if (counted.add(m)) {
                        t.lenders++;
                        t.users.add(l.user);
                    }
                    for (String v : e.versionsOf(m)) {
                        t.usersByVersion.computeIfAbsent(v, k -> new HashSet<>()).add(l.user);
                    }
                }
            }
        }
        List<PoolModule> out = new ArrayList<>();
        for (Map.Entry<String, Tally> en : tallies.entrySet()) {
            Tally t = en.getValue();
            if (t.users.size() >= PoolModule.MIN_OWNERS) {
                out.add(new PoolModule(en.getKey(), t.lenders,
                        versionsWithOwners(t.usersByVersion, PoolModule.MAX_VERSIONS)));
            }
        }
        if (out.size() > PoolStatus.MAX_MODULES) {
            out.sort(Comparator.comparingInt(PoolModule::lenders).reversed()
                    .thenComparing(PoolModule::name));
            out = new ArrayList<>(out.subList(0, PoolStatus.MAX_MODULES));
        }
        out.sort(Comparator.comparing(PoolModule::name));
        return List.copyOf(out);
    }

    /**
     * The versions offered by lenders of at least {@link PoolModule#MIN_OWNERS} users, newest
     * first (those that do not parse last, by text), at most {@code max}.
     */
    static List<String> versionsWithOwners(Map<String, Set<String>> usersByVersion, int max) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : usersByVersion.entrySet()) {
            if (!e.getKey().isEmpty() && e.getValue().size() >= PoolModule.MIN_OWNERS) {
                out.add(e.getKey());
            }
        }
        out.sort(PoolModules::newestFirst);
        return out.size() > max ? List.copyOf(out.subList(0, max)) : out;
    }

    private static int newestFirst(String a, String b) {
        Version x = Version.parse(a);
        Version y = Version.parse(b);
        if (x != null && y != null) {
            int c = y.compareTo(x);
            return c != 0 ? c : a.compareTo(b);
        }
        if (x != null || y != null) {
            return x != null ? -1 : 1;
        }
        return a.compareTo(b);
    }
}
