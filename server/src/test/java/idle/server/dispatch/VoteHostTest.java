package idle.server.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import idle.shared.model.LenderCapabilities;
import org.junit.jupiter.api.Test;

/**
 * The rule that keeps a vote's replicas on different machines where the server can tell: the
 * host of a lender's remote address (IPv4 or IPv6, as a socket prints it), and none for a
 * loopback one (lenders on the server's own machine, as in every end-to-end test, are told
 * apart by account only).
 */
class VoteHostTest {
    private static String hostOf(String remote) {
        FakePeer p = new FakePeer("lender");
        p.remote = remote;
        LenderCapabilities caps = new LenderCapabilities("3.11.2", 2, 1024, 1, 60, 512, 60, 8,
                "test", false);
        return Votes.hostOf(new LenderHandle(p, "lender", "lender-1", caps, 16));
    }

    @Test
    void aRemoteLendersHostIsItsAddressWithoutThePort() {
        assertEquals("192.0.2.7", hostOf("/192.0.2.7:50000"));
        assertEquals("2001:db8:0:0:0:0:0:1", hostOf("/2001:db8:0:0:0:0:0:1:50000"));
    }

    @Test
    void loopbackAddressesTellNothingApart() {
        assertEquals("", hostOf("/127.0.0.1:50000"));
        assertEquals("", hostOf("/127.0.1.1:50000"));
        assertEquals("", hostOf("/0:0:0:0:0:0:0:1:50000"));
    }
}
