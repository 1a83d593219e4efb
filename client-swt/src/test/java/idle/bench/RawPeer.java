package idle.bench;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.ProtocolException;
import idle.shared.tls.KnownServers;
import idle.shared.tls.PinningTrustManager;
import idle.shared.tls.TlsContexts;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The benchmark's own test double of a client: it speaks the real protocol (shared
 * {@link FrameChannel} and {@link Codec}) over a real socket, but is not the real client. Simulated
 * lenders built on it answer jobs without running python; simulated runners submit and ack.
 * Heartbeats (HBT) and shutdowns (SDN) from the server are answered automatically. Frames that
 * answer a {@link #request} complete it; every other frame goes to the {@link Handler}, on the
 * peer's reader thread.
 */
public final class RawPeer implements AutoCloseable {
    public interface Handler {
        void onFrame(RawPeer peer, Frame frame, Message message);
    }

    private final Socket socket;
    private final FrameChannel ch;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Message>> pending = new ConcurrentHashMap<>();
    private volatile Handler handler = (p, f, m) -> { };
    private volatile boolean closed;

    private RawPeer(Socket socket, int bufferBytes) throws IOException {
        this.socket = socket;
        this.ch = new FrameChannel(new BufferedInputStream(socket.getInputStream(), bufferBytes),
                new BufferedOutputStream(socket.getOutputStream(), bufferBytes),
                new idle.shared.protocol.FrameDecoder(), bufferBytes);
    }

    /** Connects (from {@code localAddress} when not null), says hello and logs in, plaintext. */
    public static RawPeer login(String host, int port, String localAddress, String user,
            String password)
            throws IOException {
        return login(host, port, localAddress, user, password, (SSLContext) null);
    }

    /**
     * As above, over TLS the way IDLE's clients connect ({@code TlsContexts.connectPinned}: the
     * server's key pinned in {@code knownServers}, a new one accepted) when {@code knownServers}
     * is not null; plaintext when it is null.
     */
    static RawPeer login(String host, int port, String localAddress, String user, String password,
            java.nio.file.Path knownServers) throws IOException {
        Socket raw = connect(host, port, localAddress);
        Socket s = knownServers == null ? raw : TlsContexts.connectPinned(raw, host, port,
                new idle.shared.tls.KnownServers(knownServers), (hostPort, key) -> true);
        return handshake(s, user, password, 16 * 1024);
    }

    /**
     * As above; with {@code tls} not null the connection is TLS 1.3 the way IDLE clients make it
     * ({@link TlsContexts#connectTls}, trusting the server by the pin of {@link #pinned}).
     */
    static RawPeer login(String host, int port, String localAddress, String user, String password,
            SSLContext tls) throws IOException {
        return login(host, port, localAddress, user, password, tls, 16 * 1024);
    }

    /**
     * As above, with buffers of {@code bufferBytes} each way (the scale figure's peers only
     * heart-beat: small buffers let one JVM hold 100,000 of them).
     */
    static RawPeer login(String host, int port, String localAddress, String user, String password,
            SSLContext tls, int bufferBytes) throws IOException {
        Socket raw = connect(host, port, localAddress);
        Socket s = tls == null ? raw : TlsContexts.connectTls(tls, raw, host, port);
        return handshake(s, user, password, bufferBytes);
    }

    /** A TCP connection to the server (from {@code localAddress} when not null). */
    private static Socket connect(String host, int port, String localAddress) throws IOException {
        Socket raw = new Socket();
        if (localAddress != null) {
            raw.bind(new InetSocketAddress(localAddress, 0));
        }
        raw.connect(new InetSocketAddress(host, port), 30_000);
        raw.setTcpNoDelay(true);
        raw.setSoTimeout(60_000);
        return raw;
    }

    /** Hello and login on {@code s}; then the peer reads on a virtual thread of its own. */
    private static RawPeer handshake(Socket s, String user, String password, int bufferBytes)
            throws IOException {
        Handshake.writeHello(s.getOutputStream());
        try {
            Handshake.readHello(s.getInputStream());
            RawPeer p = new RawPeer(s, bufferBytes);
            int id = p.nextId();
            p.send(id, new Message.Login("idle-bench/1.0", null));
            p.expect(id, Message.UserId.class);
            p.send(id, new Message.UserId(user));
            p.expect(id, Message.Password.class);
            p.send(id, new Message.Password(password));
            Message m = p.readDirect();
            if (!(m instanceof Message.Success ok) || !(ok.result() instanceof Result.Session)) {
                s.close();
                throw new IOException("login of " + user + " failed: " + m);
            }
            s.setSoTimeout(0);
            Thread.ofVirtual().start(p::readLoop);
            return p;
        } catch (ProtocolException e) {
            s.close();
            throw new IOException(e);
        }
    }

    /**
     * A client TLS context that pins the server at {@code host:port} on first use in
     * {@code knownServers} (a file of the benchmark's scratch directory, not {@code ~/.idle}):
     * one context for every simulated peer of a run, so a peer costs a handshake, not a context.
     */
    static SSLContext pinned(Path knownServers, String host, int port) throws IOException {
        try {
            return TlsContexts.client(new PinningTrustManager(new KnownServers(knownServers),
                    host + ":" + port, (hostPort, fingerprint) -> true));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("no TLS in this runtime", e);
        }
    }

    private <T extends Message> void expect(int id, Class<T> type) throws IOException,
            ProtocolException {
        Message m = readDirect();
        if (!type.isInstance(m)) {
            throw new IOException("expected " + type.getSimpleName() + ", got " + m);
        }
    }

    private Message readDirect() throws IOException, ProtocolException {
        return Codec.decode(ch.read());
    }

    public void handler(Handler h) {
        this.handler = h;
    }

    public int nextId() {
        return ids.incrementAndGet();
    }

    public void send(int id, Message m) throws IOException {
        Frame f = Codec.encode(id, m);
        synchronized (ch) {
            ch.writeAndFlush(f);
        }
    }

    /** Writes without flushing (call {@link #flush} after a burst). */
    void write(int id, Message m) throws IOException {
        Frame f = Codec.encode(id, m);
        synchronized (ch) {
            ch.write(f);
        }
    }

    void flush() throws IOException {
        synchronized (ch) {
            ch.flush();
        }
    }

    /** Sends {@code m} under a new id and waits for the first frame with that id. */
    public Message request(Message m, long timeoutMillis) throws IOException {
        int id = nextId();
        CompletableFuture<Message> f = new CompletableFuture<>();
        pending.put(id, f);
        send(id, m);
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IOException("no answer to " + m.code() + " within " + timeoutMillis + " ms",
                    e);
        } finally {
            pending.remove(id);
        }
    }

    private void readLoop() {
        try {
            while (true) {
                Frame f = ch.read();
                Message m = Codec.decode(f);
                CompletableFuture<Message> waiting = pending.remove(f.requestId());
                if (waiting != null) {
                    waiting.complete(m);
                    continue;
                }
                switch (m) {
                    case Message.Heartbeat hb -> send(f.requestId(), new Message.Ack(hb.token()));
                    case Message.Shutdown s -> send(f.requestId(), new Message.ShutdownAck());
                    default -> handler.onFrame(this, f, m);
                }
            }
        } catch (IOException | ProtocolException e) {
            if (!closed) {
                closed = true;
                pending.values().forEach(x -> x.completeExceptionally(e));
            }
        }
    }

    /** The negotiated TLS cipher suite, or "none" for plaintext. */
    String cipher() {
        return socket instanceof javax.net.ssl.SSLSocket t ? t.getSession().getCipherSuite()
                : "none";
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
