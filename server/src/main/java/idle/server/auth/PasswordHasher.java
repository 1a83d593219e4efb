package idle.server.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2-HMAC-SHA256 password hashes. A stored hash names its algorithm and iteration count:
 * {@code pbkdf2-sha256$600000$<salt, base64>$<32-byte key, base64>}, so the count can rise later
 * without invalidating old hashes. Salts are 16 random bytes. Comparison is constant-time.
 *
 * <p>Thread-safe and lock-free: hashing (about 120 ms at 600,000 iterations) runs on the caller's
 * thread and never holds a shared lock.
 */
public final class PasswordHasher {
    public static final String ALGORITHM = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int KEY_BITS = 256;

    private final int iterations;
    private final SecureRandom random = new SecureRandom();
    /** A hash of a random password, verified against when the user does not exist (timing). */
    private final String dummy;

    public PasswordHasher(int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations " + iterations);
        }
        this.iterations = iterations;
        char[] pw = new char[16];
        for (int i = 0; i < pw.length; i++) {
            pw[i] = (char) ('a' + random.nextInt(26));
        }
        this.dummy = hash(pw);
    }

    public int iterations() {
        return iterations;
    }

    /** A new encoded hash of {@code password} with a fresh salt. */
    public String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] key = derive(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return ALGORITHM + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(key);
    }

    /**
     * True when {@code password} matches {@code encoded}. A null or unparsable {@code encoded}
     * still costs one full hash (so timing does not tell whether a user exists) and is false.
     */
    public boolean verify(char[] password, String encoded) {
        Parsed p = encoded == null ? null : parse(encoded);
        if (p == null) {
            Parsed d = parse(dummy);
            MessageDigest.isEqual(derive(password, d.salt, d.iterations), d.key);
            return false;
        }
        byte[] key = derive(password, p.salt, p.iterations);
        return MessageDigest.isEqual(key, p.key);
    }

    /** True when {@code encoded} uses fewer iterations than this hasher (worth rehashing). */
    public boolean needsRehash(String encoded) {
        Parsed p = parse(encoded);
        return p == null || p.iterations < iterations;
    }

    private record Parsed(int iterations, byte[] salt, byte[] key) {
    }

    private static Parsed parse(String encoded) {
        String[] parts = encoded.split("\\$");
        if (parts.length != 4 || !parts[0].equals(ALGORITHM)) {
            return null;
        }
        try {
            int it = Integer.parseInt(parts[1]);
            if (it < 1 || it > 50_000_000) {
                return null;
            }
            Base64.Decoder d = Base64.getDecoder();
            byte[] salt = d.decode(parts[2]);
            byte[] key = d.decode(parts[3]);
            if (salt.length < 8 || key.length != KEY_BITS / 8) {
                return null;
            }
            return new Parsed(it, salt, key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, KEY_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** Overwrites a password array once it is no longer needed. */
    public static void wipe(char[] password) {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
    }
}
