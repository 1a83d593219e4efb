package idle.shared.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.commons.codec.binary.Base64;

/**
 * The server's TLS key and certificate. Either the admin provides them (PEM certificate chain and
 * PKCS#8 PEM key, or a PKCS#12 keystore), or on first start a self-signed EC P-256 key pair is
 * created in the data directory ({@code tls/server-key.pem}, {@code tls/server-cert.pem}, the key
 * readable by its owner only) and reused on every later start.
 *
 * <p>Data directories made before kept the key in {@code tls/server.p12} with its random password
 * beside it in {@code tls/server.pass}; such a keystore is read once and written out as the two
 * PEM files (the keystore stays). The PEM key is as safe as the keystore was, since the keystore's
 * password sat next to it with the same permissions; reading it costs no password-based key
 * derivation (three of 10,000 rounds each in the keystore), which was a fifth of a cold start.
 *
 * <p>The self-signed certificate is issued in-process ({@link SelfSignedCertificate}); clients pin
 * the key, not the certificate.
 */
public record ServerIdentity(PrivateKey key, X509Certificate[] chain) {
    /** The fingerprint clients pin (see {@link KeyFingerprint}). */
    public String fingerprint() {
        return KeyFingerprint.of(chain[0].getPublicKey());
    }

    /**
     * Loads the identity kept in {@code dataDir/tls}: the PEM pair, else an older directory's
     * keystore (converted to the PEM pair), else a new identity, created and kept.
     */
    public static ServerIdentity loadOrCreate(Path dataDir) throws IOException,
            GeneralSecurityException {
        Path dir = dataDir.resolve("tls");
        Path key = dir.resolve("server-key.pem");
        Path cert = dir.resolve("server-cert.pem");
        if (Files.exists(key) && Files.exists(cert)) {
            return fromPem(cert, key);
        }
        Path store = dir.resolve("server.p12");
        ServerIdentity id;
        if (Files.exists(store)) {
            id = fromKeystore(store, Files.readString(dir.resolve("server.pass"),
                    StandardCharsets.UTF_8).strip().toCharArray());
        } else {
            createPrivateDirectory(dir);
            id = generate();
        }
        id.writePem(cert, key);
        return id;
    }

    /** Loads the first key entry of a PKCS#12 (or JKS) keystore. */
    public static ServerIdentity fromKeystore(Path store, char[] password) throws IOException,
            GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(store.toFile(), password);
        for (String alias : java.util.Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                PrivateKey key = (PrivateKey) ks.getKey(alias, password);
                Certificate[] certs = ks.getCertificateChain(alias);
                X509Certificate[] chain = new X509Certificate[certs.length];
                for (int i = 0; i < certs.length; i++) {
                    chain[i] = (X509Certificate) certs[i];
                }
                return new ServerIdentity(key, chain);
            }
        }
        throw new GeneralSecurityException("no private key entry in " + store);
    }

    /** Loads a PEM certificate chain and a PEM PKCS#8 private key (EC or RSA). */
    public static ServerIdentity fromPem(Path certFile, Path keyFile) throws IOException,
            GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(certFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + certFile);
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : certs) {
            chain.add((X509Certificate) c);
        }
        String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new GeneralSecurityException(keyFile + " is not an unencrypted PKCS#8 PEM key "
                    + "(convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.decodeBase64(body));
        String alg = chain.get(0).getPublicKey().getAlgorithm();
        PrivateKey key = KeyFactory.getInstance(alg).generatePrivate(spec);
        return new ServerIdentity(key, chain.toArray(new X509Certificate[0]));
    }

    /** A fresh self-signed EC P-256 identity that lives in memory only (tests, throwaway servers). */
    public static ServerIdentity generate() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = g.generateKeyPair();
        X509Certificate cert = SelfSignedCertificate.issue(keys, "IDLE server",
                Duration.ofDays(3650));
        return new ServerIdentity(keys.getPrivate(), new X509Certificate[] {cert});
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system; the data directory's own protection has to do.
        }
    }

    /**
     * Writes the chain to {@code cert} and the key (PKCS#8, owner-only) to {@code key}, each
     * through a temporary file moved into place, the key last: a start that finds both finds
     * them whole.
     */
    private void writePem(Path cert, Path key) throws IOException, GeneralSecurityException {
        StringBuilder chainPem = new StringBuilder();
        for (X509Certificate c : chain) {
            chainPem.append(pem("CERTIFICATE", c.getEncoded()));
        }
        writeOwnerOnly(cert, chainPem.toString());
        writeOwnerOnly(key, pem("PRIVATE KEY", this.key.getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + new String(new Base64(64, new byte[] {'\n'})
                .encode(der), StandardCharsets.US_ASCII) + "-----END " + type + "-----\n";
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
            ch.force(true); // a key lost to a crash would change the server's pinned identity
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
