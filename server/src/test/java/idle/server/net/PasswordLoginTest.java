package idle.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.server.audit.AuditLog;
import idle.server.auth.Accounts;
import idle.server.auth.LoginGate;
import idle.server.auth.LoginThrottle;
import idle.server.auth.PasswordHasher;
import idle.server.auth.SessionTokens;
import idle.server.store.StoreWriter;
import idle.shared.model.FailureKind;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The password decision on its own, without a connection: real accounts on an in-memory Derby, a
 * real throttle (on a clock of its own, so no wait is ever slept here) and a real login gate.
 */
@Timeout(60)
class PasswordLoginTest {
    static final String PW = "s3cret-pass";
    static final String HOST = "10.0.0.7";

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final LoginThrottle throttle = new LoginThrottle(LoginThrottle.Policy.standard(), now::get);
    final SessionTokens tokens = new SessionTokens(Duration.ofMinutes(5));
    final LoginGate gate = new LoginGate(1);
    Database db;
    StoreWriter writer;
    Accounts accounts;
    PasswordLogin login;

    @BeforeEach
    void start() {
        db = Database.open(DatabaseConfig.inMemory("password-login" + System.nanoTime()));
        writer = new StoreWriter(db, 100);
        accounts = new Accounts(db, writer, new PasswordHasher(1000), new AuditLog(writer),
                tokens, gate, Accounts.SessionEnder.NONE);
        accounts.addUser("alice", PW.toCharArray(), false);
        accounts.addUser("root", PW.toCharArray(), true);
        login = new PasswordLogin(throttle, accounts, tokens);
    }

    @AfterEach
    void stop() {
        writer.close();
        db.close();
    }

    @Test
    void theRightPasswordLogsInWithAValidTokenAndTheAccountsRole() throws Exception {
        var in = assertInstanceOf(PasswordLogin.LoggedIn.class,
                login.check("root", PW.toCharArray(), HOST));
        assertEquals("root", in.user());
        assertTrue(in.admin());
        assertTrue(tokens.isValid(in.token()));
        var plain = assertInstanceOf(PasswordLogin.LoggedIn.class,
                login.check("alice", PW.toCharArray(), HOST));
        assertFalse(plain.admin());
        assertEquals(Duration.ZERO, throttle.waitBefore("alice", HOST), "a success counts none");
    }

    @Test
    void aWrongPasswordAndAnUnknownNameGetTheSameAnswerAndBothCount() throws Exception {
        var wrong = assertInstanceOf(PasswordLogin.Refused.class,
                login.check("alice", "nope".toCharArray(), HOST));
        var unknown = assertInstanceOf(PasswordLogin.Refused.class,
                login.check("nobody", PW.toCharArray(), "10.0.0.8"));
        var impossible = assertInstanceOf(PasswordLogin.Refused.class,
                login.check("bad name!\n", PW.toCharArray(), "10.0.0.9"));
        for (var r : List.of(wrong, unknown, impossible)) {
            assertEquals(FailureKind.BAD_CREDENTIALS, r.kind());
            assertEquals(PasswordLogin.WRONG, r.reason());
        }
        assertEquals("bad credentials", wrong.auditDetail());
        assertEquals("bad credentials (not a possible user name)", impossible.auditDetail());
        assertEquals(Duration.ofSeconds(1), throttle.waitBefore("alice", HOST));
        assertEquals(Duration.ofSeconds(1), throttle.waitBefore("nobody", "10.0.0.8"));
    }

    @Test
    void aDisabledAccountIsToldSoEvenWithTheRightPassword() throws Exception {
        accounts.disable("alice");
        var r = assertInstanceOf(PasswordLogin.Refused.class,
                login.check("alice", PW.toCharArray(), HOST));
        assertEquals(FailureKind.ACCOUNT_DISABLED, r.kind());
        assertEquals("account disabled", r.auditDetail());
    }

    @Test
    void aWaitBeyondThePolicyIsRefusedAtOnceWithoutCheckingThePassword() throws Exception {
        for (int i = 0; i < 6; i++) { // 32 s for the pair: beyond the 8 s a login may wait
            throttle.failed("alice", HOST);
        }
        var r = assertInstanceOf(PasswordLogin.Refused.class,
                login.check("alice", PW.toCharArray(), HOST));
        assertEquals(FailureKind.THROTTLED, r.kind());
        assertEquals("too many failed logins; try again in 32 s", r.reason());
        assertEquals("throttled", r.auditDetail());
        assertEquals(Duration.ofSeconds(32), throttle.waitBefore("alice", HOST),
                "the refused attempt was abandoned, not counted");
    }

    @Test
    void aFullLoginGateIsBusyAndCountsNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread running = block(release);
        Thread queued = Thread.ofPlatform().start(() -> {
            try {
                gate.tryRun(() -> null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParkedInGate(queued); // one check runs, one waits: the gate of one worker is full
        var r = assertInstanceOf(PasswordLogin.Refused.class,
                login.check("alice", "nope".toCharArray(), HOST));
        assertEquals(FailureKind.BUSY, r.kind());
        assertEquals("server busy, try again", r.reason());
        assertEquals(Duration.ZERO, throttle.waitBefore("alice", HOST), "no password was checked");
        release.countDown();
        running.join();
        queued.join();
    }

    @Test
    void anAccountChangedWhileItsPasswordWasCheckedIsRefusedAndNotCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread running = block(release); // the gate's one worker is busy
        CompletableFuture<PasswordLogin.Outcome> pending = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                pending.complete(login.check("alice", PW.toCharArray(), HOST));
            } catch (Throwable e) {
                pending.completeExceptionally(e);
            }
        });
        awaitParkedInGate(t); // its check started (the time is taken) and waits for the worker
        tokens.revokeUser("alice"); // what a disable or a new password does
        release.countDown();
        running.join();
        var r = assertInstanceOf(PasswordLogin.Refused.class, pending.get());
        assertEquals(FailureKind.BAD_CREDENTIALS, r.kind());
        assertEquals(PasswordLogin.WRONG, r.reason());
        assertEquals("the account changed during the login", r.auditDetail());
        assertEquals(Duration.ZERO, throttle.waitBefore("alice", HOST), "not counted");
        t.join();
    }

    /** Occupies the gate's one worker until {@code release}; returns once the worker has it. */
    private Thread block(CountDownLatch release) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                gate.tryRun(() -> {
                    running.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(running.await(20, TimeUnit.SECONDS));
        return t;
    }

    /**
     * Polls (with a deadline) until {@code t} is parked inside {@link LoginGate#tryRun}: it has
     * its place in the gate and waits for a worker.
     */
    private static void awaitParkedInGate(Thread t) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(t.getState() == Thread.State.WAITING && Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(LoginGate.class.getName())))) {
            assertTrue(System.nanoTime() < deadline, "never reached the login gate");
            Thread.yield();
        }
    }
}
