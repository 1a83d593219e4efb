package idle.server.relay;

import idle.server.peer.Peer;
import idle.shared.message.Message;
import idle.shared.protocol.Frame;
import idle.shared.protocol.SendWindow;
import java.util.concurrent.Semaphore;

/**
 * What a runner's subscription (a job's {@link Follower}, a sweep's watch) does between its sends:
 * a window of unacknowledged frames that each {@code OK} from the runner frees, a signal that
 * wakes its sending thread when there is something new, and the end when the connection closes.
 *
 * <p>Threads: {@link #onFrame} and {@link #onClose} come from the connection's reader,
 * {@link #wake} from any thread; the subclass's sending thread waits in {@link #awaitSignal} and
 * {@code window.acquire()}.
 */
public abstract class WindowedSubscription implements Peer.Exchange, Runnable {
    /** Frames sent and not yet acknowledged. */
    protected final SendWindow window = new SendWindow();
    private final Semaphore signal = new Semaphore(0);
    /** Set once the connection closed: the sending thread stops. */
    protected volatile boolean closed;

    /** Wakes the sending thread (at most one wake-up is kept while it is busy). */
    public void wake() {
        if (signal.availablePermits() == 0) {
            signal.release();
        }
    }

    /** Waits for the next {@link #wake}. */
    protected void awaitSignal() throws InterruptedException {
        signal.acquire();
    }

    @Override
    public void onFrame(Frame frame, Message message) {
        if (message instanceof Message.Ack) {
            window.release();
        }
    }

    @Override
    public void onClose() {
        closed = true;
        window.close();
        wake();
    }
}
