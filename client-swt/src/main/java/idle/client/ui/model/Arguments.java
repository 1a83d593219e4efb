package idle.client.ui.model;

import java.util.ArrayList;
import java.util.List;

/** Splits an argument line like a shell would for simple cases: spaces, "double" and 'single' quotes. */
public final class Arguments {
    private Arguments() {
    }

    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inToken = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inToken = true;
            } else {
                cur.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Joins arguments back into a line, quoting those with spaces. */
    public static String join(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(a.isEmpty() || a.matches(".*[\\s\"'\\\\].*") ? '"' + a.replace("\\", "\\\\")
                    .replace("\"", "\\\"") + '"' : a);
        }
        return sb.toString();
    }
}
