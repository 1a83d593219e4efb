package idle.server.dispatch;

import idle.shared.model.ComparePart;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The count of a vote: the results grouped by what they must agree on, largest group first (of
 * equal ones, the one whose first result came first). A group wins with a strict majority of
 * all results: more than half. Pure and immutable.
 *
 * @param groups the groups of equal results, each in the order its results came
 * @param results how many results were counted
 */
record VoteTally(List<List<Ballot>> groups, int results) {
    VoteTally {
        groups = groups.stream().map(List::copyOf).toList();
    }

    /** Groups {@code ballots} (in the order they came) by {@code parts}. */
    static VoteTally of(List<Ballot> ballots, Set<ComparePart> parts) {
        Map<String, List<Ballot>> byKey = new LinkedHashMap<>();
        for (Ballot b : ballots) {
            byKey.computeIfAbsent(b.key(parts), k -> new ArrayList<>()).add(b);
        }
        List<List<Ballot>> groups = new ArrayList<>(byKey.values());
        // stable: of equal sizes the group that appeared first stays first
        groups.sort((a, b) -> Integer.compare(b.size(), a.size()));
        return new VoteTally(groups, ballots.size());
    }

    /** The group with a strict majority of all results, or null when there is none. */
    List<Ballot> majority() {
        if (groups.isEmpty()) {
            return null;
        }
        List<Ballot> top = groups.get(0);
        return top.size() * 2 > results ? top : null;
    }

    /** Results in the largest group (0 with none). */
    int agreeing() {
        return groups.isEmpty() ? 0 : groups.get(0).size();
    }

    /** The result the others are described against: the majority's first, else the first. */
    Ballot reference(List<Ballot> inOrder) {
        List<Ballot> m = majority();
        if (m != null) {
            return m.get(0);
        }
        return inOrder.isEmpty() ? null : inOrder.get(0);
    }

    /** Whether {@code b} is in the majority (false for every result when there is none). */
    boolean inMajority(Ballot b) {
        List<Ballot> m = majority();
        return m != null && m.contains(b);
    }
}
