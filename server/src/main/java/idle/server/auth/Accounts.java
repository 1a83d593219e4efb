package idle.server.auth;

import idle.shared.protocol.Code;
import idle.server.audit.AuditAction;
import idle.db.Database;
import idle.db.entity.UserAccount;
import idle.db.repository.DuplicateNameException;
import idle.server.audit.AuditLog;
import idle.server.store.StoreWriter;
import java.util.List;
import java.util.Optional;

/**
 * User accounts: create, disable, enable, change password, list, and check a login. Names follow
 * {@link UserNames}. Passwords of new accounts are hashed on the caller's thread (an admin's);
 * login checks, which anyone can ask for, run through the {@link LoginGate}, a few at a time, so
 * a login flood cannot starve the server. Only hashes are written, through the store writer.
 * Every change is audited. Disabling an account or changing its password ends every session of
 * it: its resume tokens are revoked and its live connections are closed ({@link SessionEnder}).
 */
public final class Accounts {
    private final Database db;
    private final StoreWriter writer;
    private final PasswordHasher hasher;
    private final AuditLog audit;
    private final SessionTokens tokens;
    private final LoginGate gate;
    private final SessionEnder sessions;

    /** Closes the live connections of an account (the server's sessions). */
    @FunctionalInterface
    public interface SessionEnder {
        /** No live sessions (a local admin command on a stopped server). */
        SessionEnder NONE = (user, reason) -> { };

        /** Ends every logged-in session of {@code user}, telling the client {@code reason}. */
        void endSessionsOf(String user, String reason);
    }

    /** Accounts with no live sessions to end (local admin commands, tests). */
    public Accounts(Database db, StoreWriter writer, PasswordHasher hasher, AuditLog audit,
            SessionTokens tokens) {
        this(db, writer, hasher, audit, tokens, new LoginGate(), SessionEnder.NONE);
    }

    public Accounts(Database db, StoreWriter writer, PasswordHasher hasher, AuditLog audit,
            SessionTokens tokens, LoginGate gate, SessionEnder sessions) {
        this.db = db;
        this.writer = writer;
        this.hasher = hasher;
        this.audit = audit;
        this.tokens = tokens;
        this.gate = gate;
        this.sessions = sessions;
    }

    /** A failed account change, with a reason for people. */
    public static final class AccountException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean exists;

        AccountException(String message, boolean exists) {
            super(message);
            this.exists = exists;
        }

        /** True when the failure is "that name is taken". */
        public boolean exists() {
            return exists;
        }
    }

    /** Outcome of a login check; BUSY: too many checks at once, none was made. */
    public enum Check { OK, BAD_CREDENTIALS, DISABLED, BUSY }

    /** A login check's result; {@code admin} is meaningful for OK only. */
    public record LoginResult(Check check, boolean admin) {
    }

    /** Why a name cannot be a user name, or null ({@link UserNames#check}). */
    public static String checkName(String name) {
        return UserNames.check(name);
    }

    /** Adds an account. The password array is wiped. @throws AccountException when invalid */
    public void addUser(String name, char[] password, boolean admin) {
        addUser(name, password, admin, "server");
    }

    public void addUser(String name, char[] password, boolean admin, String actor) {
        String why = checkName(name);
        if (why != null) {
            PasswordHasher.wipe(password);
            throw new AccountException(why, false);
        }
        if (password == null || password.length == 0) {
            throw new AccountException("the password must not be empty", false);
        }
        PasswordHasher.Hashed h;
        try {
            h = hasher.hash(password);
        } finally {
            PasswordHasher.wipe(password);
        }
        long now = System.currentTimeMillis();
        String key = UserNames.key(name);
        try {
            writer.call(tx -> {
                for (UserAccount other : tx.users().all()) {
                    if (UserNames.key(other.getName()).equals(key)) {
                        // one row per canonical name: "Alice" next to "alice" would be a look-alike
                        throw new DuplicateNameException(other.getName());
                    }
                }
                tx.users().add(new UserAccount(name, h.hash(), h.salt(), h.algorithm(),
                        h.iterations(), admin, now));
                audit.recordIn(tx, actor, AuditAction.USER_ADD, 0, null, Code.SCF, name
                        + (admin ? " (admin)" : ""), null);
                return null;
            });
        } catch (DuplicateNameException e) {
            throw new AccountException("a user named " + name + " exists already"
                    + (name.equals(e.name()) ? "" : " (as " + e.name() + ")"), true);
        }
    }

    /** Disables an account and ends its resumable sessions. */
    public void disable(String name) {
        disable(name, "server");
    }

    public void disable(String name, String actor) {
        setEnabled(name, false, actor);
        endSessions(name, "the account " + name + " was disabled");
    }

    private void endSessions(String name, String reason) {
        tokens.revokeUser(name);
        sessions.endSessionsOf(name, reason);
    }

    /** The account named exactly {@code name} (the database ignores trailing blanks). */
    private static Optional<UserAccount> exactly(idle.db.Transaction tx, String name) {
        return tx.users().findByName(name).filter(a -> a.getName().equals(name));
    }

    public void enable(String name) {
        enable(name, "server");
    }

    public void enable(String name, String actor) {
        setEnabled(name, true, actor);
    }

    private void setEnabled(String name, boolean enabled, String actor) {
        boolean found = writer.call(tx -> {
            Optional<UserAccount> u = exactly(tx, name);
            u.ifPresent(a -> a.setEnabled(enabled));
            audit.recordIn(tx, actor, enabled ? AuditAction.USER_ENABLE : AuditAction.USER_DISABLE, 0,
                    null, u.isPresent() ? Code.SCF : Code.FLD, name, null);
            return u.isPresent();
        });
        if (!found) {
            throw new AccountException("no user named " + name, false);
        }
    }

    /** Sets a new password. The array is wiped. */
    public void setPassword(String name, char[] password) {
        setPassword(name, password, "server");
    }

    public void setPassword(String name, char[] password, String actor) {
        if (password == null || password.length == 0) {
            throw new AccountException("the password must not be empty", false);
        }
        PasswordHasher.Hashed h;
        try {
            h = hasher.hash(password);
        } finally {
            PasswordHasher.wipe(password);
        }
        boolean found = writer.call(tx -> {
            Optional<UserAccount> u = exactly(tx, name);
            u.ifPresent(a -> {
                a.setPasswordHash(h.hash());
                a.setSalt(h.salt());
                a.setHashAlgorithm(h.algorithm());
                a.setIterations(h.iterations());
            });
            audit.recordIn(tx, actor, AuditAction.USER_PASSWD, 0, null,
                    u.isPresent() ? Code.SCF : Code.FLD,
                    name, null);
            return u.isPresent();
        });
        if (!found) {
            throw new AccountException("no user named " + name, false);
        }
        endSessions(name, "the password of " + name + " was changed; log in again");
    }

    /** All accounts, by name. */
    public List<UserAccount> list() {
        return db.inTransaction(tx -> tx.users().all());
    }

    /**
     * Checks a login through the {@link LoginGate}: BUSY at once when it is full. A name outside
     * {@link UserNames} is BAD_CREDENTIALS without a hash (the rule is public, so its timing
     * tells nothing); any other name costs one full hash whether or not the user exists, and
     * matches its account exactly. The password array is wiped.
     *
     * @throws InterruptedException when the caller is interrupted while its check runs
     */
    public LoginResult check(String name, char[] password) throws InterruptedException {
        try {
            if (!UserNames.isValid(name)) {
                return new LoginResult(Check.BAD_CREDENTIALS, false);
            }
            return gate.tryRun(() -> checkNow(name, password))
                    .orElse(new LoginResult(Check.BUSY, false));
        } finally {
            PasswordHasher.wipe(password);
        }
    }

    private LoginResult checkNow(String name, char[] password) {
        // Exactly this name: the database's comparison ignores trailing blanks.
        Optional<UserAccount> u = db.inTransaction(tx -> exactly(tx, name));
        PasswordHasher.Hashed stored = u.map(a -> new PasswordHasher.Hashed(
                a.getHashAlgorithm(), a.getIterations(), a.getSalt(), a.getPasswordHash()))
                .orElse(null);
        boolean ok = hasher.verify(password, stored);
        if (!ok || u.isEmpty()) {
            return new LoginResult(Check.BAD_CREDENTIALS, false);
        }
        if (!u.get().isEnabled()) {
            return new LoginResult(Check.DISABLED, false);
        }
        return new LoginResult(Check.OK, u.get().isAdmin());
    }

    /** Whether {@code name} exists and is enabled (for resumed sessions). */
    public boolean isEnabled(String name) {
        return db.inTransaction(tx -> exactly(tx, name)).map(UserAccount::isEnabled)
                .orElse(false);
    }
}
