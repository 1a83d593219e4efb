package idle.server.dispatch;

/** Checks for names that become file names on the server or a lender. */
public final class Names {
    private Names() {
    }

    /** Why {@code name} is not a safe plain file name, or null when it is. */
    public static String checkFileName(String name) {
        if (name.isEmpty()) {
            return "empty file name";
        }
        if (name.length() > 255) {
            return "file name longer than 255 characters";
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

    /**
     * Why {@code path} is not a safe relative path (segments separated by '/', each a safe file
     * name, at most 16 deep), or null when it is.
     */
    public static String checkRelativePath(String path) {
        if (path.isEmpty() || path.length() > 1024) {
            return "path must have 1..1024 characters";
        }
        String[] parts = path.split("/", -1);
        if (parts.length > 16) {
            return "path is more than 16 levels deep";
        }
        for (String p : parts) {
            String why = checkFileName(p);
            if (why != null) {
                return "path " + printable(path) + ": " + why;
            }
        }
        return null;
    }

    /** Why {@code name} is not acceptable as a script name, or null. */
    public static String checkScriptName(String name) {
        if (name.isEmpty() || name.length() > 255) {
            return "script name must have 1..255 characters";
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20 || name.charAt(i) == 0x7f) {
                return "script name contains a control character";
            }
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.append('"').toString();
    }
}
