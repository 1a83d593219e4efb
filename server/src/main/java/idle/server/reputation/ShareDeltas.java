package idle.server.reputation;

import idle.db.repository.LenderDelta;
import idle.server.dispatch.LenderTrust.Share;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the shares of one ended job into one {@link LenderDelta} per lender account, in the
 * order the shares came. Stateless.
 *
 * <p>CPU time is what the lender reported: it is clamped to 0..{@link #MAX_CPU_MILLIS} per share
 * so that a lender claiming absurd times cannot overflow the sums; it is otherwise believed.
 * Credit counts the CPU time of {@code AGREED} and {@code UNCHECKED} results only.
 */
final class ShareDeltas {
    /** Largest CPU time one share counts: a year of one core. */
    static final long MAX_CPU_MILLIS = 366L * 24 * 3_600_000;

    private ShareDeltas() {
    }

    /**
     * The deltas to apply in order: one per account, unless an account's shares cannot be
     * combined exactly ({@link LenderDelta#combinesWith}; e.g. an agreed result then a strike).
     */
    static List<LenderDelta> of(List<Share> shares, long at) {
        List<LenderDelta> out = new ArrayList<>();
        Map<String, Integer> lastOf = new HashMap<>();
        for (Share s : shares) {
            if (s == null || s.lenderUser() == null || s.verdict() == null) {
                continue;
            }
            LenderDelta d = of(s, at);
            Integer k = lastOf.get(s.lenderUser());
            if (k != null && out.get(k).combinesWith(d)) {
                out.set(k, out.get(k).then(d));
            } else {
                lastOf.put(s.lenderUser(), out.size());
                out.add(d);
            }
        }
        return out;
    }

    private static LenderDelta of(Share s, long at) {
        long cpu = Math.min(MAX_CPU_MILLIS, Math.max(0, s.cpuMillis()));
        String u = s.lenderUser();
        return switch (s.verdict()) {
            case AGREED -> new LenderDelta(u, 1, 0, 0, 0, cpu, cpu, 0, at);
            case DISAGREED -> new LenderDelta(u, 0, 1, 0, 0, cpu, 0, 0, at);
            case UNCHECKED -> new LenderDelta(u, 0, 0, 0, 1, cpu, cpu, 0, at);
            case LOST -> new LenderDelta(u, 0, 0, 1, 0, cpu, 0, 0, at);
        };
    }
}
