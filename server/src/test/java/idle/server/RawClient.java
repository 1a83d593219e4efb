package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.ProtocolException;
import idle.shared.tls.TestTls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A raw protocol client for tests, built on the shared FrameChannel and Codec: it sends frames
 * and waits for the ones it expects (by code and id), with a deadline, never by sleeping. A
 * reader thread collects every frame; SDN is answered with SSD automatically.
 */
final class RawClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    final Socket socket;
    final FrameChannel ch;
    private final List<Frame> inbox = new ArrayList<>();
    private final Thread reader;
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean eof;
    private volatile boolean autoAckOutput = true;
    volatile boolean answerShutdown = true;
    final List<Frame> shutdowns = new ArrayList<>();

    RawClient(String host, int port) throws IOException {
        this(host, port, null);
    }

    /** Over TLS trusting exactly {@code tlsFingerprint}, or plaintext when it is null. */
    RawClient(String host, int port, String tlsFingerprint) throws IOException {
        this(host, port, tlsFingerprint, null);
    }

    /** From the local address {@code from} (e.g. 127.0.0.2), or any when null. */
    RawClient(String host, int port, String tlsFingerprint, java.net.InetAddress from)
            throws IOException {
        Socket raw = new Socket();
        if (from != null) {
            raw.bind(new java.net.InetSocketAddress(from, 0));
        }
        raw.connect(new java.net.InetSocketAddress(host, port), 30_000);
        raw.setSoTimeout(30_000);
        socket = TestTls.wrap(raw, host, port, tlsFingerprint);
        socket.setSoTimeout(0);
        socket.setTcpNoDelay(true);
        Handshake.writeHello(socket.getOutputStream());
        try {
            assertEquals(Handshake.VERSION, Handshake.readHello(socket.getInputStream()));
        } catch (ProtocolException e) {
            throw new IOException(e);
        }
        ch = new FrameChannel(socket.getInputStream(), socket.getOutputStream());
        reader = Thread.ofVirtual().start(this::readLoop);
    }

    static RawClient connect(IdleServer s) throws IOException {
        return new RawClient(s.host(), s.port(), s.tlsFingerprint());
    }

    /** Runs admin command {@code argv} as {@code admin} on a connection of its own; the reply. */
    static Message admin(IdleServer s, String admin, String password, String... argv)
            throws Exception {
        try (RawClient c = connect(s)) {
            c.loginOk(admin, password);
            return c.request(new Message.Admin(java.util.List.of(argv)));
        }
    }

    int nextId() {
        return ids.incrementAndGet();
    }

    /** Runners ack OUT and JST automatically unless turned off. */
    void autoAck(boolean on) {
        autoAckOutput = on;
    }

    private void readLoop() {
        try {
            while (true) {
                Frame f = ch.read();
                Message m = null;
                try {
                    m = Codec.decode(f);
                } catch (ProtocolException e) {
                    // keep the raw frame; tests may look at it
                }
                if (m instanceof Message.Shutdown && answerShutdown) {
                    send(f.requestId(), new Message.ShutdownAck());
                }
                if (autoAckOutput && f.requestId() > 0
                        && (m instanceof Message.Output || m instanceof Message.JobEvent)) {
                    long seq = m instanceof Message.Output o ? o.seq() : 0;
                    send(f.requestId(), new Message.Ack(seq));
                }
                synchronized (inbox) {
                    inbox.add(f);
                    inbox.notifyAll();
                }
            }
        } catch (IOException | ProtocolException e) {
            eof = true;
            synchronized (inbox) {
                inbox.notifyAll();
            }
        }
    }

    /** Sends HBT every {@code every} from a background thread, as real clients do. */
    void heartbeats(Duration every) {
        Thread.ofVirtual().start(() -> {
            long token = 1_000_000;
            while (!eof && !socket.isClosed()) {
                send(Integer.MAX_VALUE - 7, new Message.Heartbeat(token++));
                try {
                    Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    void send(int id, Message m) {
        try {
            ch.writeAndFlush(Codec.encode(id, m));
        } catch (IOException e) {
            // the test will notice the missing reply
        }
    }

    void sendRaw(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Waits for and removes the first frame matching {@code p}. */
    Frame await(Predicate<Frame> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inbox) {
            while (true) {
                for (Iterator<Frame> it = inbox.iterator(); it.hasNext(); ) {
                    Frame f = it.next();
                    if (p.test(f)) {
                        it.remove();
                        return f;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || eof && !anyMatch(p)) {
                    return null;
                }
                try {
                    inbox.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /** Removes every frame received so far that matches {@code p}; returns how many. */
    int discard(Predicate<Frame> p) {
        synchronized (inbox) {
            int before = inbox.size();
            inbox.removeIf(p);
            return before - inbox.size();
        }
    }

    private boolean anyMatch(Predicate<Frame> p) {
        return inbox.stream().anyMatch(p);
    }

    /** The next frame with this id (any code), decoded. */
    Message next(int id) {
        Frame f = await(x -> x.requestId() == id, WAIT);
        if (f == null) {
            fail("no frame #" + id + " within " + WAIT + (eof ? " (connection closed)" : ""));
        }
        return decode(f);
    }

    /** The next frame with this id and type, skipping nothing else. */
    <T extends Message> T expect(int id, Class<T> type) {
        Message m = next(id);
        if (!type.isInstance(m)) {
            fail("expected " + type.getSimpleName() + " #" + id + ", got " + m);
        }
        return type.cast(m);
    }

    /** The first frame of this id and type (other frames stay in the inbox). */
    <T extends Message> T awaitMessage(int id, Class<T> type) {
        Frame f = await(x -> x.requestId() == id && type.isInstance(decodeOrNull(x)), WAIT);
        if (f == null) {
            fail("no " + type.getSimpleName() + " #" + id + " within " + WAIT
                    + (eof ? " (connection closed)" : ""));
        }
        return type.cast(decode(f));
    }

    static Message decodeOrNull(Frame f) {
        try {
            return Codec.decode(f);
        } catch (ProtocolException e) {
            return null;
        }
    }

    static Message decode(Frame f) {
        try {
            return Codec.decode(f);
        } catch (ProtocolException e) {
            throw new AssertionError("undecodable frame " + f, e);
        }
    }

    boolean closedByServer(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (inbox) {
            while (!eof) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    inbox.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Logs in; returns the SCF or FLD message. */
    Message login(String user, String password) {
        int id = nextId();
        send(id, new Message.Login("raw-test/1.0", null));
        Message m = next(id);
        if (!(m instanceof Message.UserId)) {
            return m;
        }
        send(id, new Message.UserId(user));
        m = next(id);
        if (!(m instanceof Message.Password)) {
            return m;
        }
        send(id, new Message.Password(password));
        return next(id);
    }

    Result.Session loginOk(String user, String password) {
        Message m = login(user, password);
        assertTrue(m instanceof Message.Success s && s.result() instanceof Result.Session,
                "login of " + user + " failed: " + m);
        return (Result.Session) ((Message.Success) m).result();
    }

    /** Sends a request and returns its first reply. */
    Message request(Message m) {
        int id = nextId();
        send(id, m);
        return next(id);
    }

    <T extends Result> T requestOk(Message m, Class<T> type) {
        Message r = request(m);
        if (!(r instanceof Message.Success s) || !type.isInstance(s.result())) {
            fail("expected SCF with " + type.getSimpleName() + " for " + m.code() + ", got " + r);
            return null;
        }
        return type.cast(((Message.Success) r).result());
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
