package idle.server.dispatch;

import idle.db.Database;
import idle.db.entity.UserAccount;
import idle.server.VerifyPolicy;
import idle.shared.model.Verification;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicas a job gets when its runner asks for the default ({@code verify} 0 in RCS): the
 * user's own default (USER_ACCOUNT.VERIFY_DEFAULT, set by an admin), else the server's
 * ({@code --verify-default}). Each user's is read from the database once per run and kept;
 * {@link #set} writes it and updates what is kept. Thread-safe.
 */
public final class VerifyDefaults {
    private final Database db;
    private final VerifyPolicy policy;
    /** Per user: their own default, 0 when they have none. */
    private final ConcurrentHashMap<String, Integer> own = new ConcurrentHashMap<>();

    public VerifyDefaults(Database db, VerifyPolicy policy) {
        this.db = db;
        this.policy = policy;
    }

    /** The replicas of a job of {@code user} that asked for the default (1 to 7). */
    int replicasFor(String user) {
        int n = own.computeIfAbsent(user, u -> db.inTransaction(tx -> tx.users().findByName(u))
                .map(UserAccount::getVerifyDefault).orElse(0));
        return n > 0 ? n : policy.defaultReplicas();
    }

    /**
     * Sets {@code user}'s default to {@code replicas} (0: the server's).
     *
     * @return false when there is no such user
     * @throws IllegalArgumentException when {@code replicas} is outside 0..7
     */
    public boolean set(String user, int replicas) {
        if (replicas < 0 || replicas > Verification.MAX_REPLICAS) {
            throw new IllegalArgumentException("verify " + replicas + ": 1 to "
                    + Verification.MAX_REPLICAS + " lenders, or 0 for the server's default");
        }
        boolean found = db.inTransaction(tx -> {
            Optional<UserAccount> u = tx.users().findByName(user);
            u.ifPresent(a -> a.setVerifyDefault(replicas));
            return u.isPresent();
        });
        if (found) {
            own.put(user, replicas);
        }
        return found;
    }

    /** The server's default. */
    public int serverDefault() {
        return policy.defaultReplicas();
    }
}
