package idle.db.entity;

import java.util.ArrayList;
import java.util.List;

/**
 * The compact text form of a list of strings used in single columns: each element as its length in
 * chars, a colon, then the chars. {@code ["a", "", "b:c"]} is {@code 1:a0:3:b:c}; the empty list is
 * the empty string. Any content (colons, digits, newlines) round-trips.
 */
public final class ListCodec {
    private ListCodec() {
    }

    public static String encode(List<String> values) {
        if (values == null || values.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String v : values) {
            if (v == null) {
                throw new IllegalArgumentException("null element in list");
            }
            sb.append(v.length()).append(':').append(v);
        }
        return sb.toString();
    }

    /** Inverse of {@link #encode}; null reads as the empty list. */
    public static List<String> decode(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        int i = 0;
        int n = text.length();
        while (i < n) {
            int colon = text.indexOf(':', i);
            if (colon <= i) {
                throw new IllegalArgumentException("malformed list at " + i);
            }
            int len;
            try {
                len = Integer.parseInt(text, i, colon, 10);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed list length at " + i, e);
            }
            int end = colon + 1 + len;
            if (len < 0 || end > n) {
                throw new IllegalArgumentException("list element overruns the text at " + i);
            }
            out.add(text.substring(colon + 1, end));
            i = end;
        }
        return out;
    }
}
