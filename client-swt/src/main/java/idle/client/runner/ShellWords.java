package idle.client.runner;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one line into words the way a POSIX shell splits a command line, without expanding
 * anything: blanks separate words; {@code '...'} keeps everything literally; {@code "..."} keeps
 * blanks and lets a backslash escape {@code " \ $ `}; outside quotes a backslash makes the next
 * character literal. So {@code --name "two words" it\'s} gives {@code --name}, {@code two words},
 * {@code it's}. Stateless.
 */
public final class ShellWords {
    private ShellWords() {
    }

    /**
     * The words of {@code line}.
     *
     * @throws IllegalArgumentException for an unclosed quote or a trailing backslash
     */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed ' in: " + line);
                }
                w.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                inWord = true;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unclosed \" in: " + line);
                    }
                    char d = line.charAt(i);
                    if (d == '"') {
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        w.append(line.charAt(i + 1));
                        i += 2;
                    } else {
                        w.append(d);
                        i++;
                    }
                }
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("a line ends with \\: " + line);
                }
                w.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                w.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
