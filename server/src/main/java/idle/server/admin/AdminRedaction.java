package idle.server.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What of an admin command goes into the audit log: its words with secrets replaced by
 * {@code ***}, and its failure text with the same secrets replaced and its length capped.
 *
 * <p>Secrets are: the value of any option whose name looks like a password or key
 * ({@code --password}, a typo such as {@code --pasword} or {@code --passwd}, {@code --secret},
 * {@code --token}, {@code --key}, ... given as {@code --opt VALUE} or {@code --opt=VALUE}), and for
 * {@code user add} and {@code user passwd} every word after the user name that is not an option
 * (a password typed without {@code --password}). Where a failure message repeats such a value
 * (e.g. "unexpected: --pasword VALUE") it is replaced there too. Stateless.
 */
public final class AdminRedaction {
    /** Longest audit detail written for an admin command. */
    public static final int MAX_DETAIL = 1000;
    private static final String HIDDEN = "***";

    private AdminRedaction() {
    }

    /** The words of {@code argv} with secrets hidden. */
    public static List<String> argv(List<String> argv) {
        return split(argv).words();
    }

    /** The audit detail of a command that succeeded: its redacted words, capped. */
    public static String words(List<String> argv) {
        return cap(String.join(" ", argv(argv)));
    }

    /** The audit detail of a command that failed with {@code message}: redacted and capped. */
    public static String failure(List<String> argv, String message) {
        Split s = split(argv);
        String m = String.valueOf(message);
        for (String secret : s.secrets()) {
            if (!secret.isEmpty()) {
                m = m.replace(secret, HIDDEN);
            }
        }
        return cap(String.join(" ", s.words()) + ": " + m);
    }

    private record Split(List<String> words, List<String> secrets) {
    }

    private static Split split(List<String> argv) {
        List<String> words = new ArrayList<>(argv);
        List<String> secrets = new ArrayList<>();
        boolean userPassword = argv.size() >= 2 && "user".equals(argv.get(0))
                && ("add".equals(argv.get(1)) || "passwd".equals(argv.get(1)));
        boolean nameSeen = false;
        for (int i = userPassword ? 2 : 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.startsWith("--")) { // options as AdminCommands reads them
                int eq = w.indexOf('=');
                String name = eq < 0 ? w : w.substring(0, eq);
                if (secretOption(name)) {
                    if (eq >= 0) {
                        secrets.add(w.substring(eq + 1));
                        words.set(i, name + "=" + HIDDEN);
                    } else if (i + 1 < words.size()) {
                        secrets.add(words.get(i + 1));
                        words.set(++i, HIDDEN);
                    }
                }
            } else if (userPassword) {
                if (nameSeen) {
                    secrets.add(w);
                    words.set(i, HIDDEN);
                }
                nameSeen = true;
            }
        }
        return new Split(words, secrets);
    }

    private static boolean secretOption(String name) {
        String n = name.replaceFirst("^-+", "").toLowerCase(Locale.ROOT);
        return n.contains("pas") || n.contains("pw") || n.contains("secret")
                || n.contains("token") || n.contains("key") || n.contains("cred");
    }

    private static String cap(String s) {
        return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL - 20) + "... ("
                + s.length() + " chars)";
    }
}
