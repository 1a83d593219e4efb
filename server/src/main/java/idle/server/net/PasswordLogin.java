package idle.server.net;

import idle.server.auth.Accounts;
import idle.server.auth.LoginThrottle;
import idle.server.auth.SessionTokens;
import idle.server.auth.UserNames;
import idle.shared.model.FailureKind;
import java.time.Duration;

/**
 * Decides one password login (the answer to {@code GPW}): reserves an attempt with the throttle
 * (under the name's canonical key, so aliases share counts), waits or refuses, checks through the
 * accounts' login gate (refused as busy when it is full) and issues a session token. It never
 * touches a connection: the {@link Session} turns the {@link Outcome} into a frame and an audit
 * row. Every refusal of a name or password has the same text, so a client cannot tell a wrong
 * name from a wrong password.
 *
 * <p>Threads: {@link #check} runs on the session's reader thread (a virtual thread, so the
 * throttle's wait costs only that connection); any number run at once. Stateless apart from its
 * collaborators, which are thread-safe; each attempt is ended exactly once with the throttle.
 */
final class PasswordLogin {
    /** The same answer for an unknown name and a wrong password. */
    static final String WRONG = "wrong user name or password";

    /** What a password login came to. */
    sealed interface Outcome permits LoggedIn, Refused {
    }

    /**
     * The session is {@code user}'s, with its {@code token}: fresh after a right password (the
     * session also builds one for a resumed token).
     */
    record LoggedIn(String user, boolean admin, String token) implements Outcome {
    }

    /**
     * The login was refused: {@code kind} and {@code reason} go to the client in {@code FLD},
     * {@code auditDetail} to the audit log only.
     */
    record Refused(FailureKind kind, String reason, String auditDetail) implements Outcome {
    }

    private final LoginThrottle throttle;
    private final Accounts accounts;
    private final SessionTokens tokens;

    PasswordLogin(LoginThrottle throttle, Accounts accounts, SessionTokens tokens) {
        this.throttle = throttle;
        this.accounts = accounts;
        this.tokens = tokens;
    }

    /**
     * Checks {@code name} and {@code password} for a client at {@code host}; the password array
     * is wiped. When the account was disabled or given a new password while the check ran, the
     * login is refused as bad credentials and the attempt does not count as a failure.
     *
     * @throws InterruptedException when interrupted while waiting or checking (the attempt is
     *     then abandoned: it does not count)
     */
    Outcome check(String name, char[] password, String host) throws InterruptedException {
        LoginThrottle.Attempt attempt = throttle.begin(name, host);
        try {
            Duration wait = attempt.waitBefore();
            if (throttle.tooLong(wait)) {
                return new Refused(FailureKind.THROTTLED, "too many failed logins; try again in "
                        + Math.max(1, wait.toSeconds()) + " s", "throttled");
            }
            if (!wait.isZero()) {
                Thread.sleep(wait); // a virtual thread: cheap; only this connection waits
            }
            long checkStarted = System.nanoTime();
            Accounts.LoginResult r = accounts.check(name, password);
            return switch (r.check()) {
                case OK -> {
                    String issued = tokens.issue(name, r.admin(), checkStarted);
                    if (issued == null) { // revoked while this check ran: it does not count
                        yield new Refused(FailureKind.BAD_CREDENTIALS, WRONG,
                                "the account changed during the login");
                    }
                    attempt.succeeded();
                    yield new LoggedIn(name, r.admin(), issued);
                }
                case DISABLED -> new Refused(FailureKind.ACCOUNT_DISABLED,
                        "the account " + name + " is disabled", "account disabled");
                case BAD_CREDENTIALS -> {
                    attempt.failed();
                    yield new Refused(FailureKind.BAD_CREDENTIALS, WRONG, "bad credentials"
                            + (UserNames.isValid(name) ? "" : " (not a possible user name)"));
                }
                case BUSY -> new Refused(FailureKind.BUSY, "server busy, try again", "busy");
            };
        } finally {
            attempt.abandoned(); // no-op when it was counted above
        }
    }
}
