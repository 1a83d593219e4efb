package idle.shared.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/** SHA-256 digests as lowercase hex, the form scripts and files carry on the wire (Commons Codec). */
public final class Sha256 {
    private Sha256() {
    }

    public static String hex(byte[] data) {
        return DigestUtils.sha256Hex(data);
    }

    public static String hex(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return DigestUtils.sha256Hex(in);
        }
    }

    /** A fresh incremental digest, for data that arrives in chunks. */
    public static MessageDigest digest() {
        return DigestUtils.getSha256Digest();
    }

    /** The hex of a finished incremental digest. */
    public static String hex(MessageDigest finished) {
        return Hex.encodeHexString(finished.digest());
    }

    /** True when {@code s} looks like a SHA-256 hex digest (64 lowercase hex digits). */
    public static boolean isHex(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
