package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.testing.Poll;
import idle.server.net.Session;
import idle.shared.message.Message;
import idle.shared.model.FailureKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, hole 9 (last part): a client cannot open requests without bound on one connection.
 * Follows of a running job pile up to the cap; beyond it every kind of request that opens an
 * exchange (ATT, GOF, RCS) gets FLD{LIMIT} at once; when the follows end the places come back.
 */
class ExchangeCapTest {
    static final String PW = "s3cret-pass";

    @Test
    void hole9ThousandsOfOpenRequestsOnOneConnectionAreCappedWithLimit() throws Exception {
        Path dir = TestDirs.fresh("exchange-cap");
        ServerConfig config = ServerConfig.defaults(dir).withPort(0).withPbkdf2Iterations(1_000)
                .withLogToFile(false).withInsecurePlaintext()
                .withDispatch(DispatchLimits.defaults().withMaxQueuedPerUser(20));
        int cap = Session.openRequestCap(config);
        assertEquals(20 + Session.OPEN_REQUESTS_BEYOND_QUEUE, cap);
        try (IdleServer s = IdleServer.start(config)) {
            s.accounts().addUser("rita", PW.toCharArray(), false);
            s.accounts().addUser("lou", PW.toCharArray(), false);
            try (RawClient rita = RawClient.connect(s);
                    RawLender lou = new RawLender(s, "lou", PW, 1)) {
                rita.loginOk("rita", PW);
                rita.heartbeats(Duration.ofSeconds(1));
                // The submission's own follow is the first open request.
                long[] job = ServerProtocolTest.submit(rita, ServerProtocolTest.script(
                        "wait\nexit 0"));
                assertTrue(lou.awaitRuns(1, RawClient.WAIT));
                int tries = cap + 100;
                List<Integer> ids = new ArrayList<>();
                for (int i = 0; i < tries; i++) {
                    int id = rita.nextId();
                    ids.add(id);
                    rita.send(id, new Message.Attach(job[1], 0, true));
                }
                int accepted = 0;
                int limited = 0;
                for (int id : ids) {
                    Message m = rita.next(id);
                    if (m instanceof Message.Failure f) {
                        assertEquals(FailureKind.LIMIT, f.kind(), f.reason());
                        assertTrue(f.reason().contains("" + cap),
                                f.reason());
                        limited++;
                    } else {
                        assertInstanceOf(Message.Success.class, m);
                        accepted++;
                    }
                }
                assertEquals(cap - 1, accepted, "follows besides the RCS");
                assertEquals(tries - accepted, limited);
                // Every request that would open an exchange is refused the same way.
                Message gof = rita.request(new Message.GetOutputFile(job[1], "out.txt"));
                assertEquals(FailureKind.LIMIT, assertInstanceOf(Message.Failure.class, gof)
                        .kind());
                Message rcs = rita.request(ServerProtocolTest.script("exit 0"));
                assertEquals(FailureKind.LIMIT, assertInstanceOf(Message.Failure.class, rcs)
                        .kind());
                // Others still work on the same connection, and when the job ends every follow
                // ends with it and gives its place back.
                assertInstanceOf(Message.Ack.class, rita.request(new Message.Heartbeat(5)));
                lou.release(job[1]);
                ServerProtocolTest.untilTerminal(rita, (int) job[0]);
                for (int i = 0; i < accepted; i++) {
                    ServerProtocolTest.untilTerminal(rita, ids.get(i));
                }
                int again = rita.nextId();
                boolean admitted = Poll.until(() -> {
                    // a finished follow leaves when its last frame is out: poll for the place
                    rita.send(again, new Message.Attach(job[1], 0, false));
                    return rita.next(again) instanceof Message.Success;
                }, Duration.ofSeconds(30));
                assertTrue(admitted, "a place came back");
            }
        } finally {
            TestDirs.delete(dir);
        }
    }
}
