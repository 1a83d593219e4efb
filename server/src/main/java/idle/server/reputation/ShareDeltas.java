package idle.server.reputation;

import idle.db.repository.LenderDelta;
import idle.server.dispatch.LenderTrust.Share;
import java.util.LinkedHashMap;
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

    static List<LenderDelta> of(List<Share> shares, long at) {
        Map<String, LenderDelta> byUser = new LinkedHashMap<>();
        for (Share s : shares) {
            if (s == null || s.lenderUser() == null || s.verdict() == null) {
                continue;
            }
            LenderDelta d = of(s, at);
            byUser.merge(s.lenderUser(), d, LenderDelta::then);
        }
        return List.copyOf(byUser.values());
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
