package idle.server.net;

import idle.server.peer.Peer;
import idle.shared.message.Message;
import idle.shared.protocol.Frame;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of one shutdown handshake ({@code SDN} out, {@code SSD} back): an exchange
 * that is done at the client's answer, at the connection's end, or when the {@code SDN} could
 * not be sent, whichever comes first. Thread-safe: {@link #start} once and {@link #await} by the
 * thread that shuts the server down; {@link #done} from any thread, any number of times.
 */
final class ShutdownAck implements Peer.Exchange {
    private final CountDownLatch latch = new CountDownLatch(1);

    /** Sends {@code SDN{reason}} under a fresh server id of {@code peer}; done when it cannot. */
    void start(Peer peer, String reason) {
        if (!peer.isConnected()) {
            done();
            return;
        }
        int id = peer.nextServerId();
        peer.open(id, this);
        if (!peer.send(id, new Message.Shutdown(reason))) {
            done();
        }
    }

    /** No answer will come (or none is needed any more). */
    void done() {
        latch.countDown();
    }

    /** Waits up to {@code millis} for the end; true when it came. */
    boolean await(long millis) throws InterruptedException {
        return latch.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onFrame(Frame frame, Message message) {
        done(); // whatever the client answers on this id ends the handshake
    }

    @Override
    public void onClose() {
        done();
    }
}
