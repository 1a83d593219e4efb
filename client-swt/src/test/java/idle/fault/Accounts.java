package idle.fault;

import idle.db.DatabaseConfig;
import idle.server.IdleServer;
import idle.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Creates user accounts in a server data directory before the server process starts: opens the
 * directory in this JVM (an {@link IdleServer} on a free port, closed at once). Test and
 * benchmark accounts hash their password with {@code iterations} PBKDF2 rounds instead of the
 * production 600,000 (the count is stored with each hash, so logins verify at that cost): ten
 * thousand logins at 120 ms each would measure PBKDF2, not IDLE.
 */
public final class Accounts {
    private Accounts() {
    }

    public static void create(Path dataDir, int iterations, String password, List<String> users) {
        create(dataDir, DatabaseConfig.embedded(dataDir.resolve("db")), iterations, password, users);
    }

    /** Like {@link #create(Path, int, String, List)} on the server's {@code database}. */
    public static void create(Path dataDir, DatabaseConfig database, int iterations,
            String password, List<String> users) {
        ServerConfig cfg = ServerConfig.defaults(dataDir).withPort(0).withLogToFile(false)
                .withPbkdf2Iterations(iterations);
        try (IdleServer s = IdleServer.start(cfg, database)) {
            for (String u : users) {
                s.accounts().addUser(u, password.toCharArray(), false);
            }
        }
    }
}
