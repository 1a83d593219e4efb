package idle.cluster;

import java.sql.DriverManager;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The prototype on PostgreSQL, when {@code -Didle.cluster.pgUrl=jdbc:postgresql://HOST:PORT/DB?user=U}
 * names a database it may use (its CL_ tables are dropped and made again) and the PostgreSQL
 * JDBC driver is on the test class path. The claim uses {@code FOR UPDATE SKIP LOCKED}
 * ({@link Dialect#POSTGRESQL}). Once the server's PostgreSQL test fixture is merged, this class
 * should take its database from it instead of a property.
 */
@EnabledIfSystemProperty(named = "idle.cluster.pgUrl", matches = "jdbc:postgresql:.*")
class PostgresClaimTakeoverTest extends ClaimTakeoverContract {
    @Override
    ClusterDb database() {
        String url = System.getProperty("idle.cluster.pgUrl");
        return new ClusterDb(Dialect.POSTGRESQL, () -> DriverManager.getConnection(url));
    }
}
