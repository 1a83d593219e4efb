package idle.client.lender.service;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes values into a systemd unit file so that systemd reads back exactly the value: command
 * lines of {@code ExecStart=} and assignments of {@code Environment=}. Refuses what a unit file
 * cannot carry safely: control characters (a newline would end the line and let the rest be read
 * as a directive of its own). Stateless.
 */
final class UnitQuoting {
    private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_@+=:,./-]+");

    private UnitQuoting() {
    }

    /** One {@code ExecStart=} value: the absolute executable, then its arguments. */
    static String commandLine(List<String> command) {
        if (command.isEmpty() || !command.get(0).startsWith("/")) {
            throw new IllegalArgumentException("the service's program must be an absolute path: " + command);
        }
        StringBuilder b = new StringBuilder();
        for (String word : command) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(word(word, true));
        }
        return b.toString();
    }

    /** One {@code Environment=} value ({@code NAME=value}), quoted as a whole. */
    static String assignment(String name, String value) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("not an environment variable name: " + name);
        }
        return word(name + "=" + value, false);
    }

    /**
     * A word as systemd splits command lines: bare when it holds only safe characters, else in
     * double quotes with backslash escapes. {@code %} (specifiers) is doubled everywhere;
     * {@code $} (variable expansion) is doubled in command lines, where systemd expands it.
     */
    static String word(String s, boolean expandsDollars) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("a control character cannot go into a unit file: "
                        + s.replaceAll("\\p{Cntrl}", "?"));
            }
        }
        if (!s.isEmpty() && BARE.matcher(s).matches()) {
            return s;
        }
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '%' -> b.append("%%");
                case '$' -> b.append(expandsDollars ? "$$" : "$");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
