package idle.cluster;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prototype on embedded Derby on disk (default durability: a log sync per commit), each
 * simulated coordinator with its own connection. Derby has no SKIP LOCKED: the claim reads
 * candidates uncommitted and lets the compare-and-set decide ({@link Dialect#DERBY}). One
 * database for the class (each run drops and makes its tables), as booting one costs seconds.
 */
class DerbyClaimTakeoverTest extends ClaimTakeoverContract {
    @TempDir
    static Path dir;

    private static String url() {
        return "jdbc:derby:" + dir.resolve("cluster").toAbsolutePath();
    }

    @Override
    ClusterDb database() {
        String url = url();
        return new ClusterDb(Dialect.DERBY, () -> DriverManager.getConnection(url + ";create=true"));
    }

    @AfterAll
    static void shutDown() {
        try {
            DriverManager.getConnection(url() + ";shutdown=true").close();
        } catch (SQLException expected) {
            // Derby answers a clean shutdown with SQLState 08006
        }
    }
}
