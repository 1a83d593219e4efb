package idle.client.ui;

import idle.server.IdleServer;
import idle.server.ServerConfig;
import idle.server.TrustConfig;
import idle.shared.tls.ServerIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real server the workbench's end-to-end tests run against: TLS with a given key, fast
 * password hashing, accounts made up front. Its home is under {@code target/e2e-workbench}, not a
 * private {@code @TempDir}, because the sandbox's user must reach the lenders' work dirs there.
 */
final class E2eServer {
    private E2eServer() {
    }

    /** A fresh home directory for one test, named after it. */
    static Path home(String testName) throws IOException {
        Path home = Path.of("target", "e2e-workbench", System.currentTimeMillis() + "-" + testName)
                .toAbsolutePath();
        return Files.createDirectories(home);
    }

    /** A server in {@code home/server} with {@code users}, each with {@code password}. */
    static IdleServer start(Path home, ServerIdentity identity, String password,
            List<String> users) {
        IdleServer server = IdleServer.start(ServerConfig.defaults(home.resolve("server"))
                .withPort(0).withPbkdf2Iterations(1_000).withLogToFile(false)
                .withTrust(TrustConfig.defaults().withIdentity(identity)));
        for (String user : users) {
            server.accounts().addUser(user, password.toCharArray(), false);
        }
        return server;
    }
}
