package idle.server.auth;

import idle.server.store.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stable lender pseudonyms: {@code lender-} and the first 12 hex digits of
 * HMAC-SHA256(server secret, lender user name). The 32-byte secret lives in
 * {@code DATA/server-secret} (created owner-only on first start, see {@link PrivateFiles}), so
 * pseudonyms stay the same across restarts and cannot be reversed without the secret.
 */
public final class Pseudonyms {
    private final SecretKeySpec key;

    private Pseudonyms(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** Loads the secret from {@code file}, creating it when missing. */
    public static Pseudonyms load(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            PrivateFiles.writeNew(file, HexFormat.of().formatHex(secret)
                    .getBytes(StandardCharsets.US_ASCII));
        }
        String hex = Files.readString(file, StandardCharsets.US_ASCII).trim();
        return new Pseudonyms(HexFormat.of().parseHex(hex));
    }

    /** The pseudonym of lender account {@code userName}. */
    public String of(String userName) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] h = mac.doFinal(userName.getBytes(StandardCharsets.UTF_8));
            return "lender-" + HexFormat.of().formatHex(h, 0, 6);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
