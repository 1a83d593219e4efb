package idle.db.repository.jpa;

import java.util.ArrayList;
import java.util.List;

/**
 * The newest rows of a table read through windows of its primary key instead of a descending
 * index (each index costs the group-commit writer an entry per row, and Derby reads indexes
 * forwards only): the newest window first, each twice as wide as the one before up to a cap,
 * until enough rows matched or the lowest id was passed. Every row is read at most once, and a
 * filter that matches only old rows never loads more than the cap at once. Stateless.
 */
final class KeyWindows {
    /** One window's matching rows, in ascending id order. */
    @FunctionalInterface
    interface Window<T> {
        List<T> read(long lo, long hiExclusive);
    }

    private KeyWindows() {
    }

    /**
     * Up to {@code want} rows with ids in {@code [min, hiExclusive)}, newest first.
     *
     * @param firstSpan ids in the first window; each next one doubles, up to {@code maxSpan}
     */
    static <T> List<T> newestFirst(long min, long hiExclusive, long firstSpan, long maxSpan,
            int want, Window<T> window) {
        List<T> out = new ArrayList<>(want);
        long hi = hiExclusive;
        long span = firstSpan;
        while (out.size() < want && hi > min) {
            long lo = Math.max(min, hi - span);
            List<T> rows = window.read(lo, hi);
            for (int i = rows.size() - 1; i >= 0 && out.size() < want; i--) {
                out.add(rows.get(i));
            }
            hi = lo;
            span = Math.min(span * 2, maxSpan);
        }
        return out;
    }
}
