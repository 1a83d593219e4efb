package idle.shared.model;

/**
 * Where a lender account stands on a server, which decides the work its lenders get (issue 13).
 * The ordinal is the wire value: new values go at the end.
 */
public enum LenderStanding {
    /** No long clean record yet: gets any work; its results are checked now and then. */
    NEW,
    /** A long record of results that agreed: may run jobs alone, spot-checked. */
    TRUSTED,
    /** Too many results that were outvoted: gets only replicas of verified jobs. */
    REPLICAS_ONLY,
    /** Suspended by an admin: gets no work. */
    SUSPENDED;

    /** The word people read: "new", "trusted", "replicas only", "suspended". */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
