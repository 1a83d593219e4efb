package idle.server.dispatch;

import idle.server.peer.Peer;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.protocol.Frame;
import idle.shared.protocol.ProtocolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A recording {@link Peer} for coordinator unit tests, without sockets: everything the server
 * sends to it is kept in order (with a sequence number shared by all fake peers, so tests can
 * compare the order across peers), and a test waits for what it expects with a deadline. What
 * the "client" sends is handed to the open exchange, as the connection's reader thread would.
 * Like a real runner it acknowledges OUT and JST frames (on another thread, as a socket would).
 */
final class FakePeer implements Peer {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicLong CLOCK = new AtomicLong();

    /** One message the server sent, with its place in the order of all sends. */
    record Sent(long seq, int id, Message m) {
    }

    private final String user;
    private final List<Sent> sent = new ArrayList<>();
    private final Map<Integer, Exchange> exchanges = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final ExecutorService replies = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().factory());
    private volatile boolean connected = true;
    /** When set, every send throws it (a peer whose send path breaks). */
    volatile RuntimeException failSends;
    /** The remote address it reports, as a socket's would read; null: {@code fake:USER}. */
    volatile String remote;

    FakePeer(String user) {
        this.user = user;
    }

    @Override
    public boolean send(int requestId, Message m) {
        RuntimeException fail = failSends;
        if (fail != null) {
            throw fail;
        }
        if (!connected) {
            return false;
        }
        synchronized (sent) {
            sent.add(new Sent(CLOCK.incrementAndGet(), requestId, m));
            sent.notifyAll();
        }
        if (requestId > 0 && (m instanceof Message.Output || m instanceof Message.JobEvent)) {
            long seq = m instanceof Message.Output o ? o.seq() : 0;
            replies.execute(() -> deliver(requestId, new Message.Ack(seq)));
        }
        return true;
    }

    @Override
    public boolean send(Frame f) {
        try {
            return send(f.requestId(), Codec.decode(f));
        } catch (ProtocolException e) {
            throw new AssertionError("the server sent an undecodable frame " + f, e);
        }
    }

    @Override
    public void awaitRoom() {
    }

    @Override
    public int nextServerId() {
        return ids.decrementAndGet();
    }

    @Override
    public void open(int requestId, Exchange exchange) {
        exchanges.put(requestId, exchange);
        if (!connected) {
            exchanges.remove(requestId);
            exchange.onClose();
        }
    }

    @Override
    public void close(int requestId) {
        exchanges.remove(requestId);
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String remoteAddress() {
        String r = remote;
        return r != null ? r : "fake:" + user;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    /** The client sends {@code m} with {@code id}: handed to the exchange open for it. */
    void deliver(int id, Message m) {
        Exchange e = exchanges.get(id);
        if (e != null) {
            e.onFrame(Codec.encode(id, m), m);
        }
    }

    /** The connection ends: sends fail from now on and open exchanges are closed. */
    void disconnect() {
        connected = false;
        for (Exchange e : List.copyOf(exchanges.values())) {
            e.onClose();
        }
        exchanges.clear();
        replies.shutdown();
    }

    /**
     * The connection is dead but nobody noticed yet (its reader has not ended the session):
     * sends fail, open exchanges stay registered until {@link #disconnect}.
     */
    void dieSilently() {
        connected = false;
    }

    /** Waits for the first message sent that matches and has not been taken yet; removes it. */
    Sent take(Predicate<Sent> p) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (sent) {
            while (true) {
                for (int i = 0; i < sent.size(); i++) {
                    if (p.test(sent.get(i))) {
                        return sent.remove(i);
                    }
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new AssertionError(user + ": no matching message within " + WAIT
                            + "; have " + sent);
                }
                try {
                    sent.wait(left);
                } catch (InterruptedException e) {
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Waits for the next message of {@code type} sent with {@code id}. */
    <T extends Message> T take(int id, Class<T> type) {
        return type.cast(take(s -> s.id() == id && type.isInstance(s.m())).m());
    }

    /** Waits for the next message of {@code type} with any id; returns it with its id. */
    Sent takeAny(Class<? extends Message> type) {
        return take(s -> type.isInstance(s.m()));
    }

    /** Messages sent and not yet taken, in order. */
    List<Sent> pending() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }
}
