package idle.client.runner;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the top-level modules a python script imports, as far as a tokenizer can tell without
 * running it: {@code import x}, {@code import x.y as z, w}, {@code from x import y} and
 * {@code from x.y import z} give {@code x} (and {@code w}); relative imports
 * ({@code from . import y}, {@code from .m import y}) are the script's own and are skipped.
 * Strings (with any prefix, triple-quoted ones across lines) and comments are skipped, so an
 * import inside them does not count; statements are split at {@code ;} and after a compound
 * statement's {@code :} on the same line, and joined across brackets and backslashes.
 *
 * <p>An import inside a {@code try:} block or its {@code except} blocks is <em>optional</em>:
 * the usual {@code try: import ujson as json / except ImportError: import json} works without
 * it, so it is reported apart and not sent as a need. Imports made at run time
 * ({@code __import__}, {@code importlib.import_module}) are not seen.
 *
 * <p>Stateless and thread-safe.
 */
public final class ImportScanner {
    private ImportScanner() {
    }

    /**
     * What a script imports, each top-level name once, in the order of first appearance.
     *
     * @param required imported outside any {@code try}/{@code except} block
     * @param optional imported only inside such blocks
     */
    public record Imports(List<String> required, List<String> optional) {
        public Imports {
            required = List.copyOf(required);
            optional = List.copyOf(optional);
        }
    }

    private enum Kind { NAME, OP, OTHER }

    private record Token(Kind kind, String text) {
        boolean is(String s) {
            return text.equals(s);
        }
    }

    /** One logical line: its indentation and its tokens (no strings, comments or newlines). */
    private record Line(int indent, List<Token> tokens) {
    }

    private record Block(int indent, boolean optional) {
    }

    /** Scans {@code source}; never fails (what it cannot read it skips). */
    public static Imports scan(String source) {
        Set<String> required = new LinkedHashSet<>();
        Set<String> optional = new LinkedHashSet<>();
        List<Block> blocks = new ArrayList<>();
        for (Line line : lines(source)) {
            while (!blocks.isEmpty() && blocks.get(blocks.size() - 1).indent() >= line.indent()) {
                blocks.remove(blocks.size() - 1);
            }
            boolean inOptional = blocks.stream().anyMatch(Block::optional);
            statements(line.tokens(), inOptional, line.indent(), blocks, required, optional);
        }
        optional.removeAll(required);
        return new Imports(new ArrayList<>(required), new ArrayList<>(optional));
    }

    private static final Set<String> COMPOUND = Set.of("if", "elif", "else", "for", "while",
            "try", "except", "finally", "with", "def", "class", "async", "match", "case");

    /**
     * The simple statements of one logical line: split at {@code ;}; a compound header's body
     * on the same line is a statement too, and a header without one opens a block.
     */
    private static void statements(List<Token> tokens, boolean inOptional, int indent,
            List<Block> blocks, Set<String> required, Set<String> optional) {
        int start = 0;
        boolean optionalHere = inOptional;
        while (start < tokens.size()) {
            Token first = tokens.get(start);
            if (first.kind() == Kind.NAME && COMPOUND.contains(first.text())) {
                int colon = headerColon(tokens, start);
                if (colon >= 0) {
                    boolean opens = first.is("try") || first.is("except");
                    if (colon == tokens.size() - 1) {
                        blocks.add(new Block(indent, opens || inOptional));
                        return;
                    }
                    optionalHere |= opens; // "try: import x" on one line
                    start = colon + 1;
                    continue;
                }
            }
            int end = start;
            int depth = 0;
            while (end < tokens.size() && !(depth == 0 && tokens.get(end).is(";"))) {
                depth += depth(tokens.get(end));
                end++;
            }
            importStatement(tokens.subList(start, end), optionalHere ? optional : required);
            start = end + 1;
        }
    }

    /** The index of the {@code :} ending the compound header at {@code start}, or -1. */
    private static int headerColon(List<Token> tokens, int start) {
        int depth = 0;
        for (int i = start; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (depth == 0 && t.is(":")) {
                return i;
            }
            if (depth == 0 && t.is("lambda")) {
                return -1; // a colon of its own follows; too rare in a header to follow
            }
            depth += depth(t);
        }
        return -1;
    }

    private static int depth(Token t) {
        if (t.kind() != Kind.OP) {
            return 0;
        }
        return switch (t.text()) {
            case "(", "[", "{" -> 1;
            case ")", "]", "}" -> -1;
            default -> 0;
        };
    }

    private static void importStatement(List<Token> s, Set<String> into) {
        if (s.isEmpty() || s.get(0).kind() != Kind.NAME) {
            return;
        }
        if (s.get(0).is("import")) {
            boolean expectName = true;
            int depth = 0;
            for (int i = 1; i < s.size(); i++) {
                Token t = s.get(i);
                if (expectName && t.kind() == Kind.NAME) {
                    into.add(t.text());
                    expectName = false;
                } else if (depth == 0 && t.is(",")) {
                    expectName = true;
                }
                depth += depth(t);
            }
        } else if (s.get(0).is("from") && s.size() > 1 && s.get(1).kind() == Kind.NAME
                && !s.get(1).is("import")) {
            into.add(s.get(1).text()); // "from . import" and "from .m import" start with '.'
        }
    }

    // ---- the tokenizer ---------------------------------------------------------------------

    /** The logical lines of {@code src}, strings and comments dropped. */
    private static List<Line> lines(String src) {
        List<Line> out = new ArrayList<>();
        List<Token> tokens = new ArrayList<>();
        int depth = 0;
        int indent = -1; // -1: at the start of a logical line, before its first token
        int lineStart = 0;
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '\n' || c == '\r') {
                if (depth == 0 && indent >= 0) {
                    out.add(new Line(indent, tokens));
                    tokens = new ArrayList<>();
                    indent = -1;
                }
                i++;
                lineStart = i;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\f') {
                i++;
                continue;
            }
            if (c == '\\' && i + 1 < n && (src.charAt(i + 1) == '\n' || src.charAt(i + 1) == '\r')) {
                i += src.startsWith("\r\n", i + 1) ? 3 : 2; // a continuation: same logical line
                continue;
            }
            if (c == '#') {
                while (i < n && src.charAt(i) != '\n' && src.charAt(i) != '\r') {
                    i++;
                }
                continue;
            }
            if (indent < 0) {
                indent = indentation(src, lineStart, i);
            }
            int q = stringStart(src, i);
            if (q >= 0) {
                i = skipString(src, q);
                tokens.add(new Token(Kind.OTHER, "\"\""));
                continue;
            }
            if (isNameStart(c)) {
                int j = i + 1;
                while (j < n && isNamePart(src.charAt(j))) {
                    j++;
                }
                tokens.add(new Token(Kind.NAME, src.substring(i, j)));
                i = j;
                continue;
            }
            if (Character.isDigit(c)) {
                int j = i + 1;
                while (j < n && (isNamePart(src.charAt(j)) || src.charAt(j) == '.')) {
                    j++;
                }
                tokens.add(new Token(Kind.OTHER, src.substring(i, j)));
                i = j;
                continue;
            }
            Token op = new Token(Kind.OP, String.valueOf(c));
            depth = Math.max(0, depth + depth(op));
            tokens.add(op);
            i++;
        }
        if (indent >= 0) {
            out.add(new Line(indent, tokens));
        }
        return out;
    }

    /** The column of {@code first} on its line, tabs to the next multiple of 8 as python does. */
    private static int indentation(String src, int lineStart, int first) {
        int col = 0;
        for (int k = lineStart; k < first; k++) {
            char c = src.charAt(k);
            col = c == '\t' ? (col / 8 + 1) * 8 : col + 1;
        }
        return col;
    }

    /** Where the opening quote is when a string literal starts at {@code i}, else -1. */
    private static int stringStart(String src, int i) {
        int j = i;
        while (j < src.length() && j - i < 2 && "rRbBuUfF".indexOf(src.charAt(j)) >= 0) {
            j++;
        }
        if (j < src.length() && (src.charAt(j) == '"' || src.charAt(j) == '\'')) {
            return j;
        }
        return -1;
    }

    /** The index after the string whose opening quote is at {@code q}. */
    private static int skipString(String src, int q) {
        char quote = src.charAt(q);
        int n = src.length();
        boolean triple = src.startsWith(String.valueOf(quote).repeat(3), q);
        int i = q + (triple ? 3 : 1);
        while (i < n) {
            char c = src.charAt(i);
            if (c == '\\') {
                i += 2; // an escaped character, also in raw strings (r"\"" is one string)
            } else if (triple && src.startsWith(String.valueOf(quote).repeat(3), i)) {
                return i + 3;
            } else if (!triple && c == quote) {
                return i + 1;
            } else if (!triple && (c == '\n' || c == '\r')) {
                return i; // unterminated: python would refuse it; the line ends here
            } else {
                i++;
            }
        }
        return n;
    }

    private static boolean isNameStart(char c) {
        return c == '_' || Character.isLetter(c);
    }

    private static boolean isNamePart(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }
}
