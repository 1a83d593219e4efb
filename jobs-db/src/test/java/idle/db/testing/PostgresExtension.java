package idle.db.testing;

import idle.db.DatabaseConfig;
import idle.shared.testing.Requirement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a database of its own on a real PostgreSQL: one {@link PostgresCluster} per
 * test JVM (started by the first class that needs it, stopped and deleted by JUnit when the run
 * ends, with the cluster's shutdown hook as a backstop), one database per test class, and
 * {@link #freshSchema()} for a clean schema per test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension PG = new PostgresExtension();
 * ... DatabaseConfig config = PG.freshSchema();
 * }</pre>
 *
 * <p>Without PostgreSQL the tests fail with a message saying what to install: they must never pass
 * by being skipped in CI, which installs it ({@code .ci/run}). A developer without it can skip
 * them on purpose with {@code -D}{@value #ALLOW_NO_POSTGRES}{@code =true}; off by default.
 */
public final class PostgresExtension implements BeforeAllCallback {
    /** System property that turns the failure into a skip, for a developer's machine only. */
    public static final String ALLOW_NO_POSTGRES = "idle.test.allowNoPostgres";
    static final String MISSING = "PostgreSQL is required: apt-get install postgresql"
            + " (to skip the PostgreSQL tests on a developer machine instead: -D"
            + ALLOW_NO_POSTGRES + "=true)";

    private final AtomicInteger schemas = new AtomicInteger();
    private volatile PostgresCluster cluster;
    private volatile DatabaseConfig database;

    @Override
    public void beforeAll(ExtensionContext context) {
        requirePostgres();
        cluster = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(PostgresCluster.class,
                        k -> PostgresCluster.start(PostgresCluster.Options.forTests()),
                        PostgresCluster.class);
        database = cluster.newDatabase(context.getRequiredTestClass().getSimpleName());
    }

    /** Returns if PostgreSQL is installed; otherwise fails the test (or skips it, if opted out). */
    public static void requirePostgres() {
        check(PostgresCluster.findBinaries().isPresent(), Boolean.getBoolean(ALLOW_NO_POSTGRES));
    }

    static void check(boolean installed, boolean allowMissing) {
        Requirement.check(installed, allowMissing, ALLOW_NO_POSTGRES, MISSING);
    }

    /** The cluster (after {@code beforeAll}). */
    public PostgresCluster cluster() {
        return cluster;
    }

    /** The test class's database, as its owner role. */
    public DatabaseConfig database() {
        return database;
    }

    /** A new, empty schema in the class's database; the config selects it for every connection. */
    public DatabaseConfig freshSchema() {
        String name = "t" + schemas.incrementAndGet();
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(),
                database.password()); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + name + ": " + e.getMessage(), e);
        }
        return new DatabaseConfig(database.jdbcUrl() + "?currentSchema=" + name, database.user(),
                database.password());
    }
}
