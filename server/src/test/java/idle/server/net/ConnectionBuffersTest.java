package idle.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Handshake;
import java.io.BufferedInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What an idle connection costs, so 100,000 idle lenders fit in a coordinator's heap: buffers of
 * 512 bytes each way that grow for a streaming peer (frames of every size across those bounds
 * arrive whole and in order, both ways, over a real socket), and no writer thread while there is
 * nothing to send.
 */
class ConnectionBuffersTest {
    @Test
    void framesOfEverySizeAroundTheSmallBuffersArriveWholeAndInOrder() throws Exception {
        int[] sizes = {0, 8, 499, 500, 501, 512, 513, 1_000, 4_095, 4_096, 70_000, 20, 600};
        Random r = new Random(3);
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                Socket accepted = ss.accept()) {
            Connection c = new Connection(accepted);
            client.setSoTimeout(30_000);
            accepted.setSoTimeout(30_000);
            Handshake.writeHello(client.getOutputStream());
            assertEquals(Handshake.VERSION, c.hello());
            Handshake.readHello(client.getInputStream());
            c.loggedIn();
            FrameChannel peer = new FrameChannel(new BufferedInputStream(client.getInputStream()),
                    client.getOutputStream());
            byte[][] payloads = new byte[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                payloads[i] = new byte[sizes[i]];
                r.nextBytes(payloads[i]);
                c.send(new Frame(Code.OUT, i, payloads[i]));
                peer.writeAndFlush(new Frame(Code.OUT, 100 + i, payloads[i]));
                Frame toPeer = peer.read();
                assertEquals(i, toPeer.requestId());
                assertArrayEquals(payloads[i], toPeer.payload(), "to the peer, frame " + i);
                Frame fromPeer = c.read();
                assertEquals(100 + i, fromPeer.requestId());
                assertArrayEquals(payloads[i], fromPeer.payload(), "from the peer, frame " + i);
            }
            c.closeNow();
        }
    }

    /**
     * An idle connection holds no writer thread: it ends once the outbox is empty, the next send
     * starts another and its frame arrives, and a close after drain on an idle connection still
     * reaches the peer as the end of the stream.
     */
    @Test
    void theWriterRunsOnlyWhileThereIsSomethingToSend() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                Socket accepted = ss.accept()) {
            Connection c = new Connection(accepted);
            client.setSoTimeout(30_000);
            Handshake.writeHello(client.getOutputStream());
            c.hello();
            Handshake.readHello(client.getInputStream());
            FrameChannel peer = new FrameChannel(client.getInputStream(), client.getOutputStream());
            java.time.Duration wait = java.time.Duration.ofSeconds(20);
            for (int i = 0; i < 3; i++) {
                c.send(new Frame(Code.OUT, i, new byte[] {(byte) i}));
                assertEquals(i, peer.read().requestId());
                org.junit.jupiter.api.Assertions.assertTrue(idle.shared.testing.Poll.until(
                        () -> !c.writing(), wait), "the writer ended once idle");
            }
            c.closeAfterDrain();
            org.junit.jupiter.api.Assertions.assertThrows(java.io.EOFException.class, peer::read);
            org.junit.jupiter.api.Assertions.assertTrue(idle.shared.testing.Poll.until(
                    c::isClosed, wait));
            org.junit.jupiter.api.Assertions.assertFalse(c.send(new Frame(Code.OUT, 9,
                    new byte[0])), "nothing is queued after the close");
        }
    }
}
