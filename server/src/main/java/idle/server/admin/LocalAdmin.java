package idle.server.admin;

import idle.shared.protocol.Code;
import idle.server.audit.AuditAction;
import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.server.audit.AuditLog;
import idle.server.auth.Accounts;
import idle.server.auth.PasswordHasher;
import idle.server.auth.SessionTokens;
import idle.server.reputation.Reputation;
import idle.server.ServerConfig;
import idle.server.store.DataDirLock;
import idle.server.store.StoreWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs admin commands directly on a data directory while the server is stopped. It takes the
 * data directory's lock first, so it refuses clearly when a server (or another admin command)
 * uses the directory.
 */
public final class LocalAdmin {
    private LocalAdmin() {
    }

    /**
     * @throws DataDirLock.BusyException when the server is running on {@code dataDir}
     */
    public static String run(Path dataDir, List<String> argv) throws IOException {
        return run(dataDir, DatabaseConfig.embedded(dataDir.resolve("db")), argv);
    }

    /**
     * Like {@link #run(Path, List)} on the given database (the server's {@code --db-url}); an
     * external database refuses while a server uses it (see {@code Database.open}).
     */
    public static String run(Path dataDir, DatabaseConfig database, List<String> argv)
            throws IOException {
        try (DataDirLock lock = DataDirLock.acquire(dataDir, "pid "
                + ProcessHandle.current().pid() + " running an admin command");
                Database db = Database.open(database);
                StoreWriter writer = new StoreWriter(db, 100)) {
            AuditLog audit = new AuditLog(writer);
            Accounts accounts = new Accounts(db, writer,
                    new PasswordHasher(ServerConfig.PBKDF2_ITERATIONS), audit,
                    new SessionTokens(Duration.ofMinutes(1)));
            String actor = "admin@local";
            try {
                Reputation reputation = Reputation.load(db, writer,
                        idle.server.ReputationConfig.defaults());
                String out = new AdminCommands(db, accounts, reputation)
                        .run(argv, actor);
                audit.record(actor, AuditAction.ADM, 0, null, Code.SCF,
                        AdminRedaction.words(argv), "local");
                return out;
            } catch (RuntimeException e) {
                audit.record(actor, AuditAction.ADM, 0, null, Code.FLD,
                        AdminRedaction.failure(argv, e.getMessage()), "local");
                throw e;
            }
        }
    }
}
