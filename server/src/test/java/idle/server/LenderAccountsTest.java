package idle.server;

import static idle.server.ServerProtocolTest.last;
import static idle.server.ServerProtocolTest.script;
import static idle.server.ServerProtocolTest.submit;
import static idle.server.ServerProtocolTest.untilTerminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.server.admin.LocalAdmin;
import idle.server.dispatch.LenderTrust.Share;
import idle.server.dispatch.LenderTrust.Standing;
import idle.server.dispatch.LenderTrust.Verdict;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.model.WaitPolicy;
import idle.shared.model.LenderCredit;
import idle.shared.model.LenderStanding;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import java.util.function.Predicate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, lender accounts through the real server on real sockets: {@code idle admin lenders}
 * shows every account's record (offline ones too), {@code lenders suspend|resume NAME} stops and
 * restarts an account's lending, audited; a lender learns its own account's record ({@code CRD})
 * when it starts lending and after each change, and never another account's.
 */
@Timeout(120)
class LenderAccountsTest {
    static final Duration WAIT = RawClient.WAIT;
    static final String PW = "pw-secret";
    Path dir;
    IdleServer server;
    RawClient runner;

    @BeforeEach
    void start() throws Exception {
        dir = TestDirs.fresh("lender-accounts");
        server = IdleServer.start(ServerConfig.defaults(dir).withPort(0).withPbkdf2Iterations(1_000)
                .withLogToFile(false));
        server.accounts().addUser("root", PW.toCharArray(), true);
        for (String u : List.of("alice", "bob", "carol")) {
            server.accounts().addUser(u, PW.toCharArray(), false);
        }
        runner = RawClient.connect(server);
        runner.loginOk("alice", PW);
    }

    @AfterEach
    void stop() throws Exception {
        runner.close();
        server.close();
        TestDirs.delete(dir);
    }

    /** An admin command as root on a connection of its own. */
    Message adm(String... argv) throws Exception {
        return RawClient.admin(server, "root", PW, argv);
    }

    String admOk(String... argv) throws Exception {
        Message m = adm(argv);
        return ((Result.Text) assertInstanceOf(Message.Success.class, m, m.toString()).result())
                .text();
    }

    @Test
    void aSuspendedAccountsOfferToLendIsRefusedWithAReasonUntilResumed() throws Exception {
        assertTrue(admOk("lenders", "suspend", "bob").contains("suspended"));
        assertEquals(Standing.SUSPENDED, server.reputation().standingOf("bob"));
        try (RawClient bob = RawClient.connect(server)) {
            bob.loginOk("bob", PW);
            Message m = bob.request(new Message.MakeLender(RawLender.caps(2)));
            Message.Failure f = assertInstanceOf(Message.Failure.class, m, m.toString());
            assertEquals(FailureKind.WRONG_STATE, f.kind());
            assertTrue(f.reason().contains("suspended"), f.reason());
        }
        TrustTest.awaitAudit(server, "root", e -> "ADM".equals(e.getCode())
                && e.getDetail().contains("lenders suspend bob"), 1);
        TrustTest.awaitAudit(server, "bob", e -> "MML".equals(e.getCode())
                && "FLD".equals(e.getOutcome()), 1);
        assertTrue(admOk("lenders", "resume", "bob").contains("resumed"));
        try (RawLender bob = new RawLender(server, "bob", PW, 2)) {
            long[] job = submit(runner, script("exit 0"));
            assertTrue(bob.awaitRuns(1, WAIT), "the resumed account lends again");
        }
    }

    @Test
    void aLenderSuspendedWhileLendingFinishesItsJobButGetsNoNewOneUntilResumed()
            throws Exception {
        try (RawLender bob = new RawLender(server, "bob", PW, 4)) {
            long[] a = submit(runner, script("wait\nexit 0"));
            assertTrue(bob.awaitRuns(1, WAIT));
            admOk("lenders", "suspend", "bob");
            // bob has three free slots, but a job that will not wait is refused at once
            int id = runner.nextId();
            runner.send(id, script("b.py", "exit 0", WaitPolicy.NLA_IF_BUSY));
            Message nla = runner.next(id);
            assertInstanceOf(Message.NoLenders.class, nla, nla.toString());
            long[] c = submit(runner, script("exit 0"));
            assertTrue(admOk("lenders").contains("(suspended: no new jobs)"));
            // its running job may finish
            bob.release(a[1]);
            assertEquals(JobState.SUCCEEDED, last(untilTerminal(runner, (int) a[0])).job()
                    .state());
            assertEquals(1, bob.runs.size(), "no new job while suspended");
            admOk("lenders", "resume", "bob");
            assertTrue(bob.awaitRuns(2, WAIT), "the queued job goes to bob once resumed");
            assertEquals(c[1], bob.runs.get(1).jobId());
        }
    }

    @Test
    void theAdminSeesEveryLenderAccountOnlineOrNotAlsoLocally() throws Exception {
        end(new Share("carol", Verdict.AGREED, 3_720_000), new Share("bob", Verdict.DISAGREED,
                5_000));
        String out = admOk("lenders");
        assertTrue(out.contains("ACCOUNT") && out.contains("CREDIT"), out);
        String carol = out.lines().filter(l -> l.startsWith("carol")).findFirst().orElseThrow();
        assertTrue(carol.matches("carol\\s+new\\s+1\\s+0\\s+0\\s+0\\s+0\\s+1 h 02 min\\s+"
                + "1 h 02 min\\s.*"), carol);
        String bob = out.lines().filter(l -> l.startsWith("bob")).findFirst().orElseThrow();
        assertTrue(bob.matches("bob\\s+new\\s+0\\s+1\\s+0\\s+0\\s+1\\s+5 s\\s+0 s\\s.*"), bob);
        assertTrue(out.contains("no lenders are online"), out);
        Message unknown = adm("lenders", "suspend", "nobody");
        assertEquals(FailureKind.NOT_FOUND, assertInstanceOf(Message.Failure.class, unknown)
                .kind());
        Message bad = adm("lenders", "ban", "bob");
        assertEquals(FailureKind.INVALID, assertInstanceOf(Message.Failure.class, bad).kind());
        runner.close();
        server.close();
        // the same records from the stopped server's directory, and a local suspension
        String local = LocalAdmin.run(dir, List.of("lenders", "suspend", "carol"));
        assertTrue(local.contains("suspended"), local);
        String table = LocalAdmin.run(dir, List.of("lenders"));
        assertTrue(table.lines().anyMatch(l -> l.matches("carol\\s+suspended\\s+1\\s.*")), table);
        assertTrue(table.contains("the server is not running"), table);
        server = IdleServer.start(ServerConfig.defaults(dir).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false));
        runner = RawClient.connect(server);
        assertEquals(Standing.SUSPENDED, server.reputation().standingOf("carol"));
        assertEquals(3_720_000, server.reputation().creditMillis("carol"));
    }

    RawClient lender(String user) throws Exception {
        RawClient c = RawClient.connect(server);
        c.loginOk(user, PW);
        c.requestOk(new Message.MakeLender(RawLender.caps(1)), Result.Text.class);
        return c;
    }

    static LenderCredit awaitCredit(RawClient c, Predicate<LenderCredit> p) {
        Frame f = c.await(x -> x.code() == Code.CRD && p.test(((Message.Credit) RawClient
                .decode(x)).credit()), WAIT);
        assertNotNull(f, "no CRD as expected");
        assertTrue(f.requestId() < 0, "a server id: " + f.requestId());
        return ((Message.Credit) RawClient.decode(f)).credit();
    }

    /** What the dispatcher does when a job ends: record in a transaction, then recorded. */
    void end(Share... shares) {
        List<Share> list = List.of(shares);
        server.database().useTransaction(tx -> server.reputation().record(tx, list));
        server.reputation().recorded(list);
    }

    @Test
    void aLenderLearnsItsOwnRecordWhenItStartsAndWhenItChangesAndNobodyElses() throws Exception {
        try (RawClient bob = lender("bob"); RawClient carol = lender("carol")) {
            LenderCredit first = awaitCredit(bob, c -> true);
            assertEquals(new LenderCredit(LenderStanding.NEW, 0, 0, 0, 0, 0, 0, 0), first);
            awaitCredit(carol, c -> true);
            end(new Share("bob", Verdict.AGREED, 3_720_000), new Share("bob", Verdict.UNCHECKED,
                    60_000));
            LenderCredit after = awaitCredit(bob, c -> c.agreed() == 1);
            assertEquals(new LenderCredit(LenderStanding.NEW, 1, 1, 0, 0, 0, 3_780_000,
                    3_780_000), after);
            assertEquals("credit: 1 h 03 min CPU from 2 accepted results; standing: new",
                    after.describe());
            end(new Share("bob", Verdict.DISAGREED, 1_000));
            assertEquals(1, awaitCredit(bob, c -> c.disagreed() == 1).strikes());
            // an admin's suspension reaches the lender too
            admOk("lenders", "suspend", "bob");
            awaitCredit(bob, c -> c.standing() == LenderStanding.SUSPENDED);
            // carol's own change comes after all of bob's on her connection, in order: any
            // notice of bob's record sent to her would be in her inbox before it
            end(new Share("carol", Verdict.AGREED, 5));
            assertEquals(5, awaitCredit(carol, c -> c.agreed() == 1).creditMillis());
            assertNull(carol.await(x -> x.code() == Code.CRD, Duration.ZERO),
                    "carol was told of another account's record");
        }
    }

    /** Attacker: a client sends the server a CRD claiming credit; its record stays as it was. */
    @Test
    void aClientCannotTellTheServerItsOwnCredit() throws Exception {
        try (RawClient bob = lender("bob")) {
            awaitCredit(bob, c -> true);
            Message m = bob.request(new Message.Credit(new LenderCredit(LenderStanding.TRUSTED,
                    1_000_000, 0, 0, 0, 0, Long.MAX_VALUE, Long.MAX_VALUE)));
            assertInstanceOf(Message.Illegal.class, m, m.toString());
            assertEquals(0, server.reputation().creditMillis("bob"));
            assertEquals(Standing.NEW, server.reputation().standingOf("bob"));
        }
    }

    /** Attacker: a suspended lender withdraws and offers itself again on the same connection. */
    @Test
    void aSuspendedLenderCannotComeBackByWithdrawingAndOfferingAgain() throws Exception {
        try (RawClient bob = lender("bob")) {
            admOk("lenders", "suspend", "bob");
            bob.requestOk(new Message.Withdraw(false), Result.Empty.class);
            Message again = bob.request(new Message.MakeLender(RawLender.caps(1)));
            assertEquals(FailureKind.WRONG_STATE, assertInstanceOf(Message.Failure.class, again,
                    again.toString()).kind());
            int id = runner.nextId();
            runner.send(id, script("b.py", "exit 0", WaitPolicy.NLA_IF_BUSY));
            Message nla = runner.next(id);
            assertInstanceOf(Message.NoLenders.class, nla, nla.toString());
        }
    }
}
