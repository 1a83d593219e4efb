package idle.db.repository;

import idle.db.entity.UserAccount;
import java.util.List;
import java.util.Optional;

/** User accounts, bound to one transaction. Names compare exactly (case-sensitive). */
public interface UserRepository {
    /** The account with this name, or empty when there is none. */
    Optional<UserAccount> findByName(String name);

    /**
     * Stores a new account and assigns its id.
     *
     * @return the same, now managed, account
     * @throws DuplicateNameException when an account with that name exists (the transaction
     *     should then be abandoned: let the exception leave the work)
     */
    UserAccount add(UserAccount user);

    /** All accounts ordered by name; empty when there are none. */
    List<UserAccount> all();

    /** Number of accounts (0 on a fresh database). */
    long count();

    /** Deletes the account with this name; false when there was none. */
    boolean remove(String name);
}
