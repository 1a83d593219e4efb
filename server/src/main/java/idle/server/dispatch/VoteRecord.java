package idle.server.dispatch;

import idle.shared.model.ComparePart;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What JOB.VOTE keeps, as {@code key=value} texts, so a vote survives a restart:
 * <ul>
 * <li>on a verified job: {@code replicas} (asked), {@code max} (most results before it ends
 *     UNVERIFIED), {@code compare} (the wire mask), {@code defaulted} and {@code spot} (0/1),
 *     {@code state} (a {@link VoteState}; NONE until it was made a vote at its first dispatch),
 *     {@code agreeing}, {@code results}, and {@code winner} (the replica whose output it serves,
 *     0 until decided);
 * <li>on a replica: {@code lender} (its lender's account), {@code stdout} and {@code stderr}
 *     (the server's SHA-256 of each stream), once it has a result.
 * </ul>
 * Null for a job that is not verified. Stateless.
 */
final class VoteRecord {
    private VoteRecord() {
    }

    /** The record of {@code j} now. Call under the state machine's lock. */
    static List<String> of(ActiveJob j) {
        if (j.verifyOf != 0) {
            return j.lenderUser.isEmpty() ? null : List.of("lender=" + j.lenderUser,
                    "stdout=" + j.stdoutSha256, "stderr=" + j.stderrSha256);
        }
        Vote v = j.vote;
        if (v == null) {
            return j.verifyAsked > 1 || j.spotCheck ? List.of("replicas=" + j.verifyAsked,
                    "compare=" + ComparePart.mask(j.compare),
                    "defaulted=" + (j.verifyDefaulted ? 1 : 0), "spot=" + (j.spotCheck ? 1 : 0),
                    "state=" + VoteState.NONE) : null;
        }
        return List.of("replicas=" + v.asked, "max=" + v.max,
                "compare=" + ComparePart.mask(v.compare), "defaulted=" + (j.verifyDefaulted ? 1 : 0),
                "spot=" + (v.spot ? 1 : 0), "state=" + v.state, "agreeing=" + v.agreeing,
                "results=" + v.ballots.size(), "winner=" + v.winner);
    }

    /** A stored record as a map (empty for null). Unknown or broken entries are skipped. */
    static Map<String, String> read(List<String> record) {
        Map<String, String> m = new HashMap<>();
        if (record != null) {
            for (String e : record) {
                int eq = e.indexOf('=');
                if (eq > 0) {
                    m.put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
        }
        return m;
    }

    /**
     * The vote of stored verified job with {@code record}, as its runner sees it; NONE for a job
     * that is not verified (or a replica, or a default not made a vote).
     */
    static Verification verificationOf(long verifyOf, List<String> record) {
        if (verifyOf != 0 || record == null) {
            return Verification.NONE;
        }
        Map<String, String> m = read(record);
        VoteState state = stateOf(m);
        int replicas = Math.max(1, Math.min(Verification.MAX_REPLICAS, intOf(m, "replicas", 1)));
        Set<ComparePart> compare = ComparePart.ofMask(intOf(m, "compare", 0) & ComparePart.ALL_BITS);
        if (state == VoteState.NONE) {
            return replicas > 1 && intOf(m, "defaulted", 0) == 0 && intOf(m, "spot", 0) == 0
                    ? new Verification(replicas, VoteState.PENDING, 0, 0, compare)
                    : Verification.NONE;
        }
        int results = Math.max(0, Math.min(Verification.MAX_REPLICAS, intOf(m, "results", 0)));
        int agreeing = Math.max(0, Math.min(results, intOf(m, "agreeing", 0)));
        return new Verification(replicas, state, agreeing, results, compare);
    }

    /** The replica whose output stored job {@code jobId} serves (itself unless a vote chose). */
    static long outputOf(long jobId, List<String> record) {
        long w = longOf(read(record), "winner");
        return w > 0 ? w : jobId;
    }

    static int intOf(Map<String, String> m, String key, int otherwise) {
        try {
            return Integer.parseInt(m.getOrDefault(key, ""));
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    static long longOf(Map<String, String> m, String key) {
        try {
            return Long.parseLong(m.getOrDefault(key, ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static VoteState stateOf(Map<String, String> m) {
        try {
            return VoteState.valueOf(m.getOrDefault("state", "NONE"));
        } catch (IllegalArgumentException e) {
            return VoteState.NONE;
        }
    }
}
