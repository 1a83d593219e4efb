package idle.server.dispatch;

import idle.shared.model.ComparePart;
import idle.shared.model.ReplicaResult;
import idle.shared.model.StreamKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * How one replica's result differs from the reference result of its vote, in the compared parts
 * only, as short lines a runner reads: {@code exit differs: exit 1 / exit 0},
 * {@code stdout differs at line 3: '0.12' / '0.98'} (this result's text first, the reference's
 * second), {@code file out.csv differs}, {@code file b.txt missing}. At most
 * {@link ReplicaResult#MAX_LINES} lines of at most {@link ReplicaResult#MAX_LINE} characters.
 * The first differing line of a stream is found in the first {@link #MAX_READ} bytes of each
 * (read through {@link Streams}); beyond that, or when a stream is no longer stored, the line
 * says so and shows the hashes. Stateless.
 */
final class Differences {
    /** Bytes of a stream read to find its first differing line. */
    static final int MAX_READ = 64 * 1024;
    /** Characters of a differing line shown. */
    private static final int SHOWN = 60;

    /** The stored text of a replica's streams, bounded. */
    interface Streams {
        /**
         * The first {@code max} bytes of {@code stream} of replica {@code replicaId}, or empty
         * when its output is no longer stored.
         */
        Optional<byte[]> read(long replicaId, StreamKind stream, int max);
    }

    private Differences() {
    }

    /** The lines for {@code b} against {@code ref}; empty when they agree on {@code parts}. */
    static List<String> between(Ballot b, Ballot ref, Set<ComparePart> parts, Streams streams) {
        List<String> out = new ArrayList<>();
        if (b == ref || ref == null) {
            return out;
        }
        if (parts.contains(ComparePart.EXIT) && !b.exitText().equals(ref.exitText())) {
            out.add("exit differs: " + b.exitText() + " / " + ref.exitText());
        }
        if (parts.contains(ComparePart.STDOUT) && !b.stdoutSha256().equals(ref.stdoutSha256())) {
            out.add(stream(b, ref, StreamKind.STDOUT, b.stdoutSha256(), ref.stdoutSha256(),
                    streams));
        }
        if (parts.contains(ComparePart.STDERR) && !b.stderrSha256().equals(ref.stderrSha256())) {
            out.add(stream(b, ref, StreamKind.STDERR, b.stderrSha256(), ref.stderrSha256(),
                    streams));
        }
        if (parts.contains(ComparePart.FILES)) {
            files(b.filesByName(), ref.filesByName(), out);
        }
        return bound(out);
    }

    private static void files(TreeMap<String, String> mine, TreeMap<String, String> theirs,
            List<String> out) {
        for (Map.Entry<String, String> f : theirs.entrySet()) {
            String sha = mine.get(f.getKey());
            if (sha == null) {
                out.add("file " + f.getKey() + " missing");
            } else if (!sha.equals(f.getValue())) {
                out.add("file " + f.getKey() + " differs");
            }
        }
        for (String name : mine.keySet()) {
            if (!theirs.containsKey(name)) {
                out.add("file " + name + " is extra");
            }
        }
    }

    private static String stream(Ballot b, Ballot ref, StreamKind kind, String sha,
            String refSha, Streams streams) {
        String name = kind.name().toLowerCase();
        Optional<byte[]> mine = streams.read(b.replicaId(), kind, MAX_READ);
        Optional<byte[]> theirs = streams.read(ref.replicaId(), kind, MAX_READ);
        if (mine.isEmpty() || theirs.isEmpty()) {
            return name + " differs (sha256 " + shortSha(sha) + " / " + shortSha(refSha)
                    + "; output no longer stored)";
        }
        String line = firstDifference(mine.get(), theirs.get());
        return line == null ? name + " differs after the first " + (MAX_READ / 1024) + " KiB"
                : name + " differs at " + line;
    }

    /**
     * "line N: 'a' / 'b'" for the first line where {@code a} and {@code b} differ (a line
     * missing in one shows as {@code <end>}), or null when they are equal as far as read.
     */
    static String firstDifference(byte[] a, byte[] b) {
        String[] la = new String(a, StandardCharsets.UTF_8).split("\n", -1);
        String[] lb = new String(b, StandardCharsets.UTF_8).split("\n", -1);
        int n = Math.max(la.length, lb.length);
        for (int i = 0; i < n; i++) {
            String x = i < la.length ? la[i] : null;
            String y = i < lb.length ? lb[i] : null;
            if (x == null || !x.equals(y)) {
                return "line " + (i + 1) + ": " + quote(x) + " / " + quote(y);
            }
        }
        return null;
    }

    private static String quote(String s) {
        if (s == null) {
            return "<end>";
        }
        StringBuilder sb = new StringBuilder("'");
        s.codePoints().limit(SHOWN).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        if (s.codePointCount(0, s.length()) > SHOWN) {
            sb.append('…');
        }
        return sb.append('\'').toString();
    }

    private static String shortSha(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    /** At most MAX_LINES lines of at most MAX_LINE characters; the last says what was cut. */
    private static List<String> bound(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (out.size() == ReplicaResult.MAX_LINES - 1 && lines.size() > ReplicaResult.MAX_LINES) {
                out.add("… and " + (lines.size() - out.size()) + " more differences");
                break;
            }
            out.add(l.length() <= ReplicaResult.MAX_LINE ? l
                    : l.substring(0, ReplicaResult.MAX_LINE - 1) + "…");
        }
        return out;
    }
}
