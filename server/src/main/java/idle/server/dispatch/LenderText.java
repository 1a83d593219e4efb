package idle.server.dispatch;

import idle.shared.model.JobOutcome;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.PythonEnvironment;
import java.util.List;

/**
 * Text a lender sends that the server stores and relays to other people: its reason for refusing
 * a job, the reason or detail of an outcome, its availability note, its python version and
 * sandbox description. A lender is not trusted, so such text is cleaned before it is stored: line
 * breaks and tabs become spaces; every other C0 and C1 control character, DEL, the Unicode
 * bidirectional overrides, isolates and marks, and unpaired surrogates are taken out; and it is
 * cut to {@link #MAX_CHARS}. So a reason cannot retitle or clear a runner's terminal, fake lines
 * of output, read differently from what it says, or fill the database. (Runners clean what they
 * show as well: this is the server's own line.) Stateless.
 */
final class LenderText {
    /** Longest text kept, in UTF-16 units; longer text is cut and ends with an ellipsis. */
    static final int MAX_CHARS = 500;
    /** Longest python version or sandbox description kept. */
    static final int MAX_SHORT = 100;

    private LenderText() {
    }

    /** {@code s} cleaned and cut to {@link #MAX_CHARS}; null becomes "". */
    static String clean(String s) {
        return clean(s, MAX_CHARS);
    }

    /** {@code s} cleaned and cut to {@code max} characters (the ellipsis included). */
    static String clean(String s, int max) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 1));
        for (int i = 0; i < s.length() && sb.length() <= max; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (lineBreak(c)) {
                sb.append(' ');
            } else if (!dropped(c)) {
                sb.append(c);
            }
        }
        if (sb.length() <= max) {
            return sb.toString();
        }
        int cut = max - 1;
        if (Character.isHighSurrogate(sb.charAt(cut - 1))) {
            cut--; // never half a pair
        }
        sb.setLength(cut);
        return sb.append('\u2026').toString();
    }

    /** {@code o} with its reason or detail cleaned; the same object when it has none. */
    static JobOutcome clean(JobOutcome o) {
        return switch (o) {
            case JobOutcome.Error e -> new JobOutcome.Error(clean(e.reason()));
            case JobOutcome.LimitExceeded l -> new JobOutcome.LimitExceeded(l.limit(),
                    clean(l.detail()));
            default -> o;
        };
    }

    /**
     * {@code c} with its python versions and sandbox description cleaned and short; its
     * environments' modules and distributions are kept as they are (the codec accepts only
     * names and versions there).
     */
    static LenderCapabilities clean(LenderCapabilities c) {
        List<PythonEnvironment> envs = c.environments().stream()
                .map(e -> new PythonEnvironment(clean(e.pythonVersion(), MAX_SHORT), e.modules(),
                        e.distributions()))
                .toList();
        return new LenderCapabilities(clean(c.pythonVersion(), MAX_SHORT), c.cores(),
                c.memoryMb(), c.maxJobs(), c.cpuSeconds(), c.memoryLimitMb(), c.timeoutSeconds(),
                c.maxOutputMb(), clean(c.sandbox(), MAX_SHORT), c.whenIdle(), envs);
    }

    private static boolean lineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\t' || c == '\u0085' || c == '\u2028'
                || c == '\u2029' || c == '\u000b' || c == '\u000c';
    }

    private static boolean dropped(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200e' || c == '\u200f' || c == '\u061c'
                || Character.isSurrogate(c); // a paired one was taken above
    }
}
