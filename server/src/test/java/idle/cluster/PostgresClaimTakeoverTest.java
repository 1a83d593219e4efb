package idle.cluster;

import idle.db.DatabaseConfig;
import idle.db.testing.PostgresExtension;
import java.sql.DriverManager;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The prototype on a real PostgreSQL (the test cluster of {@link PostgresExtension}: started in a
 * temporary directory, failing loudly when PostgreSQL is not installed), each test in a fresh
 * schema. The claim uses {@code FOR UPDATE SKIP LOCKED} ({@link Dialect#POSTGRESQL}).
 */
class PostgresClaimTakeoverTest extends ClaimTakeoverContract {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Override
    ClusterDb database() {
        DatabaseConfig db = PG.freshSchema();
        return new ClusterDb(Dialect.POSTGRESQL,
                () -> DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()));
    }
}
