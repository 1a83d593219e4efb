package idle.shared.protocol;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one rule for names that become files: a job's script and input names (plain names in the
 * job's work directory on a lender) and its output files (relative paths under the runner's
 * output directory and the server's spool). The server applies it at the door, the runner before
 * it sends, the lender before it writes; all three agree because all three call this class.
 *
 * <p>A plain file name has 1..255 characters and at most 255 bytes in UTF-8, is not {@code .} or {@code ..}, and contains no
 * {@code /}, {@code \}, NUL or other control character. A relative path is 1..1024 characters of
 * at most 16 plain names joined by {@code /}. Methods return why a name is refused, or null when
 * it is accepted; the reason never repeats more than 80 characters of the name and shows control
 * characters as {@code ?}, so it is safe to print and to send back.
 */
public final class FileNames {
    /** Longest plain name, in characters and in UTF-8 bytes (Linux's NAME_MAX counts bytes). */
    public static final int MAX_NAME = 255;
    /** Longest relative path, in characters. */
    public static final int MAX_PATH = 1024;
    /** Most segments in a relative path. */
    public static final int MAX_DEPTH = 16;

    private FileNames() {
    }

    /** Why {@code name} is not a plain file name, or null when it is. */
    public static String checkFileName(String name) {
        if (name.isEmpty()) {
            return "empty file name";
        }
        if (name.length() > MAX_NAME) {
            return "file name longer than " + MAX_NAME + " characters";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
            // a lender could not create it: refuse it here rather than fail on every lender
            return "file name longer than " + MAX_NAME + " bytes in UTF-8";
        }
        if (name.equals(".") || name.equals("..")) {
            return "file name " + name + " is not allowed";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                return "file name " + printable(name) + " contains a path separator or a "
                        + "control character";
            }
        }
        return null;
    }

    /** Why {@code path} is not a safe relative path, or null when it is. */
    public static String checkRelativePath(String path) {
        if (path.isEmpty() || path.length() > MAX_PATH) {
            return "path must have 1.." + MAX_PATH + " characters";
        }
        String[] parts = path.split("/", -1);
        if (parts.length > MAX_DEPTH) {
            return "path is more than " + MAX_DEPTH + " levels deep";
        }
        for (String p : parts) {
            String why = checkFileName(p);
            if (why != null) {
                return "path " + printable(path) + ": " + why;
            }
        }
        return null;
    }

    /**
     * Why a job's files (its script and its inputs, which land side by side in one directory)
     * cannot be written as named, or null when they can: each is a plain file name and no two are
     * the same.
     */
    public static String checkJobFiles(String scriptName, List<String> inputNames) {
        String why = checkFileName(scriptName);
        if (why != null) {
            return "script: " + why;
        }
        Set<String> seen = new HashSet<>();
        seen.add(scriptName);
        for (String n : inputNames) {
            why = checkFileName(n);
            if (why != null) {
                return "input file: " + why;
            }
            if (!seen.add(n)) {
                return n.equals(scriptName)
                        ? "input file " + printable(n) + " has the script's name"
                        : "input file " + printable(n) + " given twice";
            }
        }
        return null;
    }

    /** {@code s} quoted, cut at 80 characters, control characters shown as {@code ?}. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(s.length(), 80);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ? '?' : c);
        }
        if (s.length() > n) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
