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
 * User accounts: create, disable, enable, change password, list, and check a login. Passwords
 * are hashed with {@link PasswordHasher} on the caller's thread (no shared lock is held while
 * hashing); only the hash is written, through the store writer. Every change is audited.
 */
public final class Accounts {
    private final Database db;
    private final StoreWriter writer;
    private final PasswordHasher hasher;
    private final AuditLog audit;
    private final SessionTokens tokens;

    public Accounts(Database db, StoreWriter writer, PasswordHasher hasher, AuditLog audit,
            SessionTokens tokens) {
        this.db = db;
        this.writer = writer;
        this.hasher = hasher;
        this.audit = audit;
        this.tokens = tokens;
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

    /** Outcome of a login check. */
    public enum Check { OK, BAD_CREDENTIALS, DISABLED }

    /** A login check's result; {@code admin} is meaningful for OK only. */
    public record LoginResult(Check check, boolean admin) {
    }

    /** Why a name cannot be a user name, or null. */
    public static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 64) {
            return "user names have 1..64 characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '@')) {
                return "user names may contain letters, digits, '.', '_', '-' and '@'";
            }
        }
        return null;
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
        try {
            writer.call(tx -> {
                tx.users().add(new UserAccount(name, h.hash(), h.salt(), h.algorithm(),
                        h.iterations(), admin, now));
                audit.recordIn(tx, actor, AuditAction.USER_ADD, 0, null, Code.SCF, name
                        + (admin ? " (admin)" : ""), null);
                return null;
            });
        } catch (DuplicateNameException e) {
            throw new AccountException("a user named " + name + " exists already", true);
        }
    }

    /** Disables an account and ends its resumable sessions. */
    public void disable(String name) {
        disable(name, "server");
    }

    public void disable(String name, String actor) {
        setEnabled(name, false, actor);
        tokens.revokeUser(name);
    }

    public void enable(String name) {
        enable(name, "server");
    }

    public void enable(String name, String actor) {
        setEnabled(name, true, actor);
    }

    private void setEnabled(String name, boolean enabled, String actor) {
        boolean found = writer.call(tx -> {
            Optional<UserAccount> u = tx.users().findByName(name);
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
            Optional<UserAccount> u = tx.users().findByName(name);
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
    }

    /** All accounts, by name. */
    public List<UserAccount> list() {
        return db.inTransaction(tx -> tx.users().all());
    }

    /**
     * Checks a login. Costs one full hash whether or not the user exists. The password array is
     * wiped.
     */
    public LoginResult check(String name, char[] password) {
        try {
            Optional<UserAccount> u = db.inTransaction(tx -> tx.users().findByName(name));
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
        } finally {
            PasswordHasher.wipe(password);
        }
    }

    /** Whether {@code name} exists and is enabled (for resumed sessions). */
    public boolean isEnabled(String name) {
        return db.inTransaction(tx -> tx.users().findByName(name))
                .map(UserAccount::isEnabled).orElse(false);
    }
}
