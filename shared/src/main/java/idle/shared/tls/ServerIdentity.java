package idle.shared.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base64;

/**
 * The server's TLS key and certificate. Either the admin provides them (PEM certificate chain and
 * PKCS#8 PEM key, or a PKCS#12 keystore), or on first start a self-signed EC P-256 key pair is
 * created in the data directory ({@code tls/server.p12}, with its random password in
 * {@code tls/server.pass}, both readable by the owner only) and reused on every later start.
 *
 * <p>The JDK has no public API to issue a certificate, so the self-signed one is made with the
 * JDK's own {@code keytool}, once.
 */
public record ServerIdentity(PrivateKey key, X509Certificate[] chain) {
    private static final String ALIAS = "idle-server";

    /** The fingerprint clients pin (see {@link KeyFingerprint}). */
    public String fingerprint() {
        return KeyFingerprint.of(chain[0].getPublicKey());
    }

    /** Loads {@code dataDir/tls/server.p12}, creating it first when missing. */
    public static ServerIdentity loadOrCreate(Path dataDir) throws IOException,
            GeneralSecurityException {
        Path dir = dataDir.resolve("tls");
        Path store = dir.resolve("server.p12");
        Path pass = dir.resolve("server.pass");
        if (!Files.exists(store)) {
            create(dir, store, pass);
        }
        return fromKeystore(store, Files.readString(pass, StandardCharsets.UTF_8).strip().toCharArray());
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

    private static void create(Path dir, Path store, Path pass) throws IOException,
            GeneralSecurityException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system; the data directory's own protection has to do.
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Path tmp = dir.resolve("server.p12.tmp");
        Files.deleteIfExists(tmp);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-validity", "3650", "-dname", "CN=IDLE server", "-storetype", "PKCS12",
                "-keystore", tmp.toString(), "-storepass", password, "-keypass", password);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new GeneralSecurityException("keytool could not create a key pair: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating the TLS key", e);
        }
        writeOwnerOnly(pass, password);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // See above.
        }
        Files.move(tmp, store, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
    }
}
