package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.server.dispatch.LenderTrust.Share;
import idle.server.dispatch.LenderTrust.Verdict;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.LenderCredit;
import idle.shared.model.LenderStanding;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, credit shown to lenders, through the real server on real sockets: a lender gets its
 * own account's record ({@code CRD}) when it starts lending and after each change, and never
 * another account's.
 */
@Timeout(120)
class CreditNoticeTest {
    static final Duration WAIT = RawClient.WAIT;
    static final String PW = "pw-secret";
    Path dir;
    IdleServer server;

    @BeforeEach
    void start() throws Exception {
        dir = TestDirs.fresh("credit");
        server = IdleServer.start(ServerConfig.defaults(dir).withPort(0).withPbkdf2Iterations(1_000)
                .withLogToFile(false));
        server.accounts().addUser("root", PW.toCharArray(), true);
        for (String u : List.of("bob", "carol")) {
            server.accounts().addUser(u, PW.toCharArray(), false);
        }
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        TestDirs.delete(dir);
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
            try (RawClient root = RawClient.connect(server)) {
                root.loginOk("root", PW);
                root.requestOk(new Message.Admin(List.of("lenders", "suspend", "bob")),
                        Result.Text.class);
            }
            awaitCredit(bob, c -> c.standing() == LenderStanding.SUSPENDED);
            // carol's own change comes after all of bob's on her connection, in order: any
            // notice of bob's record sent to her would be in her inbox before it
            end(new Share("carol", Verdict.AGREED, 5));
            assertEquals(5, awaitCredit(carol, c -> c.agreed() == 1).creditMillis());
            assertNull(carol.await(x -> x.code() == Code.CRD, Duration.ZERO),
                    "carol was told of another account's record");
        }
    }
}
