package idle.shared.tls;

import java.security.PublicKey;
import org.apache.commons.codec.binary.Base64;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The fingerprint of a server's public key as people compare it: {@code SHA256:} followed by the
 * unpadded Base64 of the SHA-256 of the key's SubjectPublicKeyInfo encoding (the form OpenSSH
 * prints). Pinning the key rather than the certificate lets an admin renew the certificate
 * without breaking clients, as long as the key stays.
 */
public final class KeyFingerprint {
    private KeyFingerprint() {
    }

    public static String of(PublicKey key) {
        byte[] digest = DigestUtils.sha256(key.getEncoded());
        return "SHA256:" + Base64.encodeBase64String(digest).replace("=", "");
    }
}
