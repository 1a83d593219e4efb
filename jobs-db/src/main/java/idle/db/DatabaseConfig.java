package idle.db;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the database lives: a JDBC URL plus credentials (both may be null for Derby without
 * authentication). Derby (embedded or network) and PostgreSQL are supported; the factories cover
 * the usual Derby cases.
 *
 * @param jdbcUrl e.g. {@code jdbc:derby:/srv/idle/db;create=true},
 *     {@code jdbc:derby:memory:test;create=true}, {@code jdbc:derby://host:1527/idle;create=true}
 *     or {@code jdbc:postgresql://db.example:5432/idle}
 * @param user database user, or null
 * @param password database password, or null
 */
public record DatabaseConfig(String jdbcUrl, String user, String password) {
    public DatabaseConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    }

    /** Embedded Derby in {@code dir}, created on first use: {@code jdbc:derby:<dir>;create=true}. */
    public static DatabaseConfig embedded(Path dir) {
        return new DatabaseConfig("jdbc:derby:" + dir.toAbsolutePath() + ";create=true", null, null);
    }

    /** An in-memory Derby database (gone when the JVM ends); for tests. */
    public static DatabaseConfig inMemory(String name) {
        return new DatabaseConfig("jdbc:derby:memory:" + name + ";create=true", null, null);
    }

    /** Any JDBC URL without credentials, e.g. a Derby network server. */
    public static DatabaseConfig of(String jdbcUrl) {
        return new DatabaseConfig(jdbcUrl, null, null);
    }

    /** True for Derby running inside this JVM (on disk or in memory), not the network client. */
    public boolean isEmbeddedDerby() {
        return jdbcUrl.startsWith("jdbc:derby:") && !jdbcUrl.startsWith("jdbc:derby://");
    }

    /** True for the Derby network client ({@code jdbc:derby://...}). */
    public boolean isDerbyClient() {
        return jdbcUrl.startsWith("jdbc:derby://");
    }

    /** True for PostgreSQL ({@code jdbc:postgresql://host:port/database}). */
    public boolean isPostgres() {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }

    /** The URL without its {@code ;attribute=value} part. */
    String baseUrl() {
        int semi = jdbcUrl.indexOf(';');
        return semi < 0 ? jdbcUrl : jdbcUrl.substring(0, semi);
    }

    @Override
    public String toString() {
        return "DatabaseConfig[" + jdbcUrl + ", user=" + user + "]"; // never the password
    }
}
