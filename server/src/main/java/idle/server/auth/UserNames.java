package idle.server.auth;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The one rule for user names, applied where accounts are made (local and remote admin) and at
 * login.
 *
 * <p>A user name has 1..{@value #MAX_LENGTH} characters, each a letter or digit (Unicode, in the
 * Basic Multilingual Plane) or one of {@code . _ - @}, and is in Unicode NFC form. So it has no
 * blank anywhere (Derby ignores trailing blanks when it compares, so {@code "alice "} used to
 * find alice's row), no control, format or escape character, and one spelling per name. Names
 * compare exactly (case-sensitive) at login; two accounts may not differ only in case or in
 * compatibility forms ({@link #key}), so look-alike accounts cannot be made.
 *
 * <p>{@link #key} is the canonical form the login throttle counts under: whatever a client types
 * ({@code "alice "}, {@code "ALICE"}, {@code "ａｌｉｃｅ"}), its attempts count against the
 * account it resembles. Stateless.
 */
public final class UserNames {
    public static final int MAX_LENGTH = 64;
    /** Longest input looked at for a key; anything longer is not a name anyway. */
    private static final int KEY_INPUT = 256;

    private UserNames() {
    }

    /** Why {@code name} cannot be a user name, or null when it can. */
    public static String check(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return "user names have 1.." + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '@')) {
                return "user names may contain letters, digits, '.', '_', '-' and '@' only";
            }
        }
        if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) {
            return "the user name is not in Unicode NFC form";
        }
        return null;
    }

    public static boolean isValid(String name) {
        return check(name) == null;
    }

    /**
     * The canonical key of what a client typed: NFKC, without blanks, controls and format
     * characters, lower case, at most {@value #MAX_LENGTH} characters (longer input ends in
     * {@code "~"}). Never null; bounded whatever the input.
     */
    public static String key(String typed) {
        if (typed == null) {
            return "";
        }
        String s = typed.length() > KEY_INPUT ? typed.substring(0, KEY_INPUT) : typed;
        s = Normalizer.normalize(s, Normalizer.Form.NFKC);
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_LENGTH + 1));
        for (int i = 0; i < s.length() && b.length() <= MAX_LENGTH; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                    || Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                continue;
            }
            b.appendCodePoint(cp);
        }
        String k = b.toString().toLowerCase(Locale.ROOT);
        return k.length() > MAX_LENGTH || typed.length() > KEY_INPUT
                ? k.substring(0, Math.min(k.length(), MAX_LENGTH)) + "~" : k;
    }

    /**
     * {@code typed} as it may be shown and stored (the audit log): a valid name as is; anything
     * else with every character outside the alphabet written {@code \}{@code uXXXX}, cut to about
     * {@value #MAX_LENGTH} characters, so it cannot carry escapes to a terminal or pass for a
     * real name.
     */
    public static String display(String typed) {
        if (typed == null) {
            return null;
        }
        if (isValid(typed)) {
            return typed;
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < typed.length() && b.length() < MAX_LENGTH; i++) {
            char c = typed.charAt(i);
            if (c < 0x7f && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-'
                    || c == '@')) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        if (typed.isEmpty()) {
            b.append("(empty)");
        } else if (i < typed.length()) {
            b.append('~');
        }
        return b.toString();
    }
}
