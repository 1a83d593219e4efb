package idle.cluster;

import java.sql.SQLException;

/**
 * What differs between the databases the prototype runs on: how a coordinator finds jobs to
 * claim, and how it reads without waiting for other coordinators' open transactions. Everything
 * else (the fenced writes that decide) is the same SQL on both.
 */
enum Dialect {
    /**
     * Derby has no {@code SKIP LOCKED}: candidates are read uncommitted ({@code WITH UR}, so a
     * job another coordinator claimed but has not committed already reads as RUNNING and is
     * passed over), a wider window than needed is read and each coordinator tries a random part
     * of it, and the conditional UPDATE decides.
     */
    DERBY(" WITH UR", false),
    /**
     * PostgreSQL: {@code FOR UPDATE SKIP LOCKED} hands each coordinator rows nobody else holds,
     * so the window is exactly the free slots; the conditional UPDATE stays as the check.
     */
    POSTGRESQL("", true);

    private final String dirtyRead;
    private final boolean skipLocked;

    Dialect(String dirtyRead, boolean skipLocked) {
        this.dirtyRead = dirtyRead;
        this.skipLocked = skipLocked;
    }

    /** Suffix for a read that must not wait on other transactions' row locks. */
    String dirtyRead() {
        return dirtyRead;
    }

    /** True when {@link #candidates} locks the rows it returns (no collisions to expect). */
    boolean skipLocked() {
        return skipLocked;
    }

    /** How many candidates to read for {@code wanted} free slots. */
    int window(int wanted) {
        return skipLocked ? wanted : wanted * 4;
    }

    /** The queued jobs in fair-share order (lowest turn first), at most {@code n}. */
    String candidates(int n) {
        String q = "SELECT ID FROM CL_JOB WHERE STATE = 'QUEUED' ORDER BY TURN, ID FETCH FIRST "
                + n + " ROWS ONLY";
        return skipLocked ? q + " FOR UPDATE SKIP LOCKED" : q + dirtyRead;
    }

    /**
     * A deadlock, serialization failure or lock timeout: the transaction was rolled back by the
     * database and may simply be tried again.
     */
    static boolean retryable(SQLException e) {
        String s = e.getSQLState();
        return s != null && (s.equals("40001") || s.equals("40P01") || s.startsWith("40XL"));
    }
}
