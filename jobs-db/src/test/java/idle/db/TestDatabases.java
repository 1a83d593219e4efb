package idle.db;

import idle.db.entity.Job;
import idle.db.entity.UserAccount;
import idle.shared.model.JobNeeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers shared by the tests: fresh databases under target/ and sample entities. */
final class TestDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabases() {
    }

    /** A fresh in-memory database configuration. */
    static DatabaseConfig freshInMemory() {
        return DatabaseConfig.inMemory("t" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    }

    /** A fresh on-disk database configuration in a new directory under target/. */
    static DatabaseConfig freshOnDisk() {
        try {
            Path base = Path.of(System.getProperty("java.io.tmpdir", "target"), "test-dbs");
            Files.createDirectories(base);
            return DatabaseConfig.embedded(Files.createTempDirectory(base, "db").resolve("db"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A plain JDBC connection to an open database (for tampering). */
    static Connection jdbc(DatabaseConfig config) throws SQLException {
        if (config.user() == null) {
            return DriverManager.getConnection(config.isEmbeddedDerby() ? config.baseUrl()
                    : config.jdbcUrl());
        }
        return DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
    }

    static UserAccount user(String name) {
        return new UserAccount(name, "aGFzaA==", "c2FsdA==", "PBKDF2WithHmacSHA256", 600_000, false, 1_700_000_000_000L);
    }

    static Job job(String owner, String scriptName) {
        return new Job(owner, scriptName, "ab".repeat(32), ("print('" + scriptName + "')").getBytes(),
                List.of("--n", "3"), List.of("data.csv"), new JobNeeds("3.10", 256, 60), 1_700_000_000_000L);
    }
}
