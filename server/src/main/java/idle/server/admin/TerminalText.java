package idle.server.admin;

/**
 * Makes text from the database safe to print on an admin's terminal and to open as CSV. Much of
 * what admin commands show came from clients (user names typed before login, file names, a
 * lender's description of itself), so it may hold escape sequences that would retitle, clear or
 * reprogram the admin's terminal, or bidirectional overrides that make text read backwards.
 *
 * <p>{@link #line} writes every such character visibly: C0 controls (newline and tab too), DEL
 * and C1 controls as {@code \xNN}, the bidirectional controls and the line and paragraph
 * separators as {@code \}{@code uNNNN}. {@link #text} does the same but keeps newlines (a listing
 * of many lines). {@link #csvCell} also neutralizes a cell a spreadsheet would run as a formula
 * (one starting with {@code = + - @}, a tab or a carriage return) by putting {@code '} before it,
 * and quotes the cell when it must be (RFC 4180). Stateless.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** {@code s} on one line with every control written visibly; null stays null. */
    public static String line(String s) {
        return escape(s, false);
    }

    /** Like {@link #line} but newlines stay. */
    public static String text(String s) {
        return escape(s, true);
    }

    /** One CSV cell: {@link #line}, neutralized when it could be a formula, quoted if needed. */
    public static String csvCell(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        String v = line(s);
        if ("=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static String escape(String s, boolean keepNewlines) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = unsafe(c) && !(keepNewlines && c == '\n');
            if (bad && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (!bad) {
                    b.append(c);
                } else if (c < 0x100) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return b == null ? s : b.toString();
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == '\u061c' || c == '\u200e' || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u2028' || c == '\u2029';
    }
}
