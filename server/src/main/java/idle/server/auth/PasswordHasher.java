package idle.server.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2-HMAC-SHA256 password hashes. A stored hash keeps its algorithm name
 * ({@value #ALGORITHM}), iteration count, 16-byte random salt and 32-byte derived key (both
 * Base64), so the count can rise later without invalidating old hashes. Comparison is
 * constant-time.
 *
 * <p>Thread-safe and lock-free: hashing (about 120 ms at 600,000 iterations) runs on the caller's
 * thread and never holds a shared lock.
 */
public final class PasswordHasher {
    public static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int KEY_BITS = 256;

    /** A stored hash. */
    public record Hashed(String algorithm, int iterations, String salt, String hash) {
        @Override
        public String toString() {
            return "Hashed[" + algorithm + ", " + iterations + "]";
        }
    }

    private final int iterations;
    private final SecureRandom random = new SecureRandom();
    /** Verified against when the user does not exist, so timing does not tell. */
    private final Hashed dummy;

    public PasswordHasher(int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations " + iterations);
        }
        this.iterations = iterations;
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        this.dummy = new Hashed(ALGORITHM, iterations, b64.encodeToString(salt),
                b64.encodeToString(new byte[KEY_BITS / 8]));
    }

    public int iterations() {
        return iterations;
    }

    /** A new hash of {@code password} with a fresh salt. */
    public Hashed hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] key = derive(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder();
        return new Hashed(ALGORITHM, iterations, b64.encodeToString(salt), b64.encodeToString(key));
    }

    /**
     * True when {@code password} matches {@code stored}. A null or unusable {@code stored} still
     * costs one full hash (so timing does not tell whether a user exists) and is false.
     */
    public boolean verify(char[] password, Hashed stored) {
        boolean usable = stored != null && ALGORITHM.equals(stored.algorithm())
                && stored.iterations() >= 1 && stored.iterations() <= 50_000_000;
        Hashed h = usable ? stored : dummy;
        byte[] salt;
        byte[] expected;
        try {
            salt = Base64.getDecoder().decode(h.salt());
            expected = Base64.getDecoder().decode(h.hash());
        } catch (IllegalArgumentException e) {
            usable = false;
            salt = new byte[SALT_BYTES];
            expected = new byte[KEY_BITS / 8];
        }
        byte[] key = derive(password, salt, h.iterations());
        return MessageDigest.isEqual(key, expected) && usable;
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, KEY_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable", e);
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
