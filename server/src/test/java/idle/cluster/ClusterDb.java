package idle.cluster;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A shared database the simulated coordinators connect to: its dialect and how to open a
 * connection (each coordinator has its own, like a coordinator process would). A PostgreSQL run
 * passes a URL to a server started for the test; a Derby run an embedded database.
 */
record ClusterDb(Dialect dialect, Opener opener) {

    /** Opens a new connection (autocommit is turned off by the caller). */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    Connection connect() throws SQLException {
        Connection c = opener.open();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        return c;
    }
}
