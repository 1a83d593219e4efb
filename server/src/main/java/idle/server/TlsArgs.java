package idle.server;

import static idle.server.UsageCheck.require;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code server} command's TLS options (a picocli mixin): a PEM key and chain, a PKCS#12
 * keystore, or a key the server makes on its first start (the default); or no TLS at all.
 */
final class TlsArgs {
    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain to use (with --tls-key); default: a key "
                    + "made on first start in DIR/tls")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM PKCS#8 private key of --tls-cert")
    Path tlsKey;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "PKCS#12 keystore holding the key and certificate to use")
    Path tlsKeystore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
            description = "file whose first line is the --tls-keystore password")
    Path tlsKeystorePassword;

    @Option(names = "--insecure-plaintext",
            description = "no TLS: passwords, scripts and outputs cross the network in clear "
                    + "(clients must say --insecure-plaintext too)")
    boolean insecurePlaintext;

    /**
     * The trust settings these options ask for.
     *
     * @throws CommandLine.ParameterException when they do not go together
     */
    TrustConfig resolve(CommandLine.Model.CommandSpec spec) {
        TrustConfig t = TrustConfig.defaults();
        if (insecurePlaintext) {
            require(spec, tlsCert == null && tlsKey == null && tlsKeystore == null,
                    "--insecure-plaintext cannot go with --tls-cert, --tls-key or --tls-keystore");
            return t.withInsecurePlaintext();
        }
        if (tlsKeystore != null) {
            require(spec, tlsCert == null && tlsKey == null,
                    "use either --tls-keystore or --tls-cert with --tls-key");
            return t.withKeystore(tlsKeystore, tlsKeystorePassword);
        }
        if (tlsCert != null || tlsKey != null) {
            require(spec, tlsCert != null && tlsKey != null, "--tls-cert and --tls-key go together");
            return t.withPem(tlsCert, tlsKey);
        }
        return t;
    }
}
