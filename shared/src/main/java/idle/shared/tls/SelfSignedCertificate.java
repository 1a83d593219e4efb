package idle.shared.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Issues a minimal self-signed X.509 v3 certificate for an EC P-256 key, in-process: the JDK has
 * no public API for it, and running {@code keytool} costs seconds on a busy machine. Clients do
 * not check the certificate (they pin the key, see {@link PinningTrustManager}); TLS only needs
 * one to carry the key.
 *
 * <p>Layout (RFC 5280, DER): {@code Certificate ::= SEQUENCE { tbs, ecdsa-with-SHA256, BIT STRING
 * signature }}, {@code tbs ::= SEQUENCE { [0] v3, serial, ecdsa-with-SHA256, issuer, validity,
 * subject, subjectPublicKeyInfo }} with issuer = subject = {@code CN=<name>} and no extensions.
 */
final class SelfSignedCertificate {
    /** ecdsa-with-SHA256, OID 1.2.840.10045.4.3.2, as an AlgorithmIdentifier without parameters. */
    private static final byte[] ECDSA_SHA256 = {0x30, 0x0a, 0x06, 0x08, 0x2a, (byte) 0x86, 0x48,
        (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    /** id-at-commonName, OID 2.5.4.3. */
    private static final byte[] CN_OID = {0x06, 0x03, 0x55, 0x04, 0x03};

    private SelfSignedCertificate() {
    }

    static X509Certificate issue(KeyPair keys, String commonName, Duration validity)
            throws GeneralSecurityException {
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        serial[0] &= 0x7f; // positive
        byte[] name = der(0x30, der(0x31, der(0x30, CN_OID,
                der(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
        Instant now = Instant.now();
        byte[] tbs = der(0x30,
                der(0xa0, der(0x02, new byte[] {2})),
                der(0x02, new BigInteger(1, serial).toByteArray()),
                ECDSA_SHA256,
                name,
                der(0x30, time(now.minus(Duration.ofDays(1))), time(now.plus(validity))),
                name,
                keys.getPublic().getEncoded());
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(keys.getPrivate());
        s.update(tbs);
        byte[] sig = s.sign();
        byte[] bits = new byte[sig.length + 1];
        System.arraycopy(sig, 0, bits, 1, sig.length);
        byte[] cert = der(0x30, tbs, ECDSA_SHA256, der(0x03, bits));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert));
    }

    /** UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280, 4.1.2.5). */
    private static byte[] time(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        if (z.getYear() < 2050) {
            return der(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").format(z)
                    .getBytes(StandardCharsets.US_ASCII));
        }
        return der(0x18, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").format(z)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** One DER element: tag, definite length, then the parts concatenated. */
    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        int n = body.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 6);
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }
}
