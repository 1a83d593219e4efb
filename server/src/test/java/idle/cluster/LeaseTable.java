package idle.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements on {@code CL_COORD}, run inside the caller's transaction (never committing).
 *
 * <p>The rule that makes it safe: every transaction a coordinator commits starts with
 * {@link #fence}, a conditional UPDATE of its own row on its epoch. The row lock that UPDATE
 * takes orders the transaction against any transaction that fences the node (which updates the
 * same row), so either the write commits before the fence, and the fence then sees and re-queues
 * what it claimed, or the fence commits first and the write finds a different epoch and is
 * refused. No clock enters that: leases only decide when a peer may fence a node.
 */
final class LeaseTable {
    private final Dialect dialect;

    LeaseTable(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * Checks that {@code lease} is still current and extends it to {@code until}.
     *
     * @return false when the lease was fenced: the caller must roll back and stop
     */
    boolean fence(Connection c, Lease lease, long until) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE CL_COORD SET LEASE_UNTIL = ?,"
                + " WRITES = WRITES + 1 WHERE NODE = ? AND EPOCH = ? AND LIVE = 1")) {
            p.setLong(1, until);
            p.setInt(2, lease.node());
            p.setLong(3, lease.epoch());
            return p.executeUpdate() == 1;
        }
    }

    /**
     * The naive heartbeat of the negative test: extends the node's lease whatever its epoch
     * (what a design without fencing tokens does). Never used by a fenced coordinator.
     */
    void renewUnfenced(Connection c, int node, long until) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE CL_COORD SET LEASE_UNTIL = ? WHERE NODE = ? AND LIVE = 1")) {
            p.setLong(1, until);
            p.setInt(2, node);
            p.executeUpdate();
        }
    }

    /**
     * A new incarnation of {@code node}: raises the epoch whether or not the previous one is
     * still alive (raising it is always safe: it only fences).
     *
     * @return the new lease, and the previous one when it was live (the caller re-queues its jobs)
     */
    Lease[] join(Connection c, int node, long until) throws SQLException {
        boolean wasLive;
        try (PreparedStatement p = c.prepareStatement("UPDATE CL_COORD SET EPOCH = EPOCH + 1,"
                + " LEASE_UNTIL = ?, WRITES = WRITES + 1 WHERE NODE = ? AND LIVE = 1")) {
            p.setLong(1, until);
            p.setInt(2, node);
            wasLive = p.executeUpdate() == 1;
        }
        if (!wasLive) {
            try (PreparedStatement p = c.prepareStatement("UPDATE CL_COORD SET EPOCH = EPOCH + 1,"
                    + " LIVE = 1, LEASE_UNTIL = ?, WRITES = WRITES + 1 WHERE NODE = ? AND LIVE = 0")) {
                p.setLong(1, until);
                p.setInt(2, node);
                if (p.executeUpdate() != 1) {
                    throw new SQLException("no row for node " + node);
                }
            }
        }
        long epoch;
        try (PreparedStatement p = c.prepareStatement("SELECT EPOCH FROM CL_COORD WHERE NODE = ?")) {
            p.setInt(1, node);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                epoch = r.getLong(1);
            }
        }
        return new Lease[] {new Lease(node, epoch), wasLive ? new Lease(node, epoch - 1) : null};
    }

    /** Live leases of other nodes that expired before {@code now} (read without waiting). */
    List<Lease> expired(Connection c, int self, long now) throws SQLException {
        List<Lease> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT NODE, EPOCH FROM CL_COORD"
                + " WHERE LIVE = 1 AND LEASE_UNTIL < ? AND NODE <> ?" + dialect.dirtyRead())) {
            p.setLong(1, now);
            p.setInt(2, self);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new Lease(r.getInt(1), r.getLong(2)));
                }
            }
        }
        return out;
    }

    /**
     * Fences {@code dead} if its lease is still expired at this moment (it may have renewed, or
     * another peer may have been faster).
     *
     * @return true when this transaction fenced it
     */
    boolean takeOver(Connection c, Lease dead, long now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE CL_COORD SET EPOCH = EPOCH + 1,"
                + " LIVE = 0 WHERE NODE = ? AND EPOCH = ? AND LIVE = 1 AND LEASE_UNTIL < ?")) {
            p.setInt(1, dead.node());
            p.setLong(2, dead.epoch());
            p.setLong(3, now);
            return p.executeUpdate() == 1;
        }
    }
}
