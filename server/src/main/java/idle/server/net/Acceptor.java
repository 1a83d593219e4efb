package idle.server.net;

import idle.shared.protocol.Code;
import idle.server.audit.AuditAction;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Handshake;
import idle.shared.tls.TlsContexts;
import idle.shared.tls.TlsFailure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * Accepts connections and runs one {@link Session} per connection on its own virtual thread, so
 * thousands of idle lenders cost thousands of cheap virtual threads, not platform threads. A
 * connection silent for the heartbeat timeout is dropped by its read timeout.
 *
 * <p>Before a session starts: the {@link ConnectionLimiter} may refuse the socket (too many
 * connections from its address, or in total; it is closed at once and the refusal logged), and
 * with TLS on, the first byte tells a TLS client ({@code 0x16}) from a plaintext IDLE client, which
 * gets a hello and {@code ILR#0{"this server requires TLS; ..."}} and is closed. The TLS handshake
 * runs on the connection's virtual thread, never on the accept loop.
 *
 * <p>The login deadline covers the whole way in, counted from the accept: TLS handshake, hello
 * and login. Read timeouts alone cannot bound it (a peer sending a byte just before each timeout
 * would hold the connection for ever), so a watchdog on the sweeper's thread fires at the deadline
 * and ends a connection that is not logged in by then (see {@link Session#loginDeadline}). A
 * periodic sweep ends sessions past their absolute lifetime.
 */
public final class Acceptor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Acceptor.class.getName());
    /** The reason a plaintext IDLE client gets from a TLS server: the shared constant clients test. */
    public static final String TLS_REQUIRED = TlsFailure.TLS_REQUIRED_REFUSAL;

    private final ServerSocket socket;
    private final ServerContext ctx;
    private final SSLContext tls;
    private final ConnectionLimiter limiter;
    private final Set<Session> sessions;
    private final Thread thread;
    private final ScheduledExecutorService sweeper;
    private final AtomicLong refusals = new AtomicLong();
    private volatile long lastRefusalLog;
    /** How long a polite refusal may take in all, however slowly the peer sends. */
    static final long POLITE_REFUSAL_MILLIS = 5_000;
    /** After the login deadline, how long an ILR may take to go out before a hard close. */
    static final long DEADLINE_GRACE_MILLIS = 2_000;
    /** Refusals answered with a status at the same time; more are reset at once. */
    static final int POLITE_REFUSALS = 64;
    private final java.util.concurrent.Semaphore politeRefusals =
            new java.util.concurrent.Semaphore(POLITE_REFUSALS);
    private volatile boolean closing;

    public Acceptor(String bind, int port, ServerContext ctx) throws IOException {
        this(bind, port, ctx, null);
    }

    /** @param tls the server's TLS context, or null for plaintext ({@code --insecure-plaintext}) */
    public Acceptor(String bind, int port, ServerContext ctx, SSLContext tls) throws IOException {
        this(bind, port, ctx, tls, new LiveSessions());
    }

    /** @param live where the open sessions are kept (shared with the accounts) */
    public Acceptor(String bind, int port, ServerContext ctx, SSLContext tls, LiveSessions live)
            throws IOException {
        this.ctx = ctx;
        this.sessions = live.all();
        this.tls = tls;
        this.limiter = new ConnectionLimiter(ctx.config().maxConnectionsPerAddress(),
                ctx.config().maxConnections());
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 1024);
        this.thread = Thread.ofPlatform().name("idle-acceptor").daemon(true).unstarted(this::loop);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> Thread
                .ofPlatform().name("idle-session-sweep").daemon(true).unstarted(r));
        timer.setRemoveOnCancelPolicy(true); // a connection's watchdog goes when it ends
        this.sweeper = timer;
    }

    public void start() {
        thread.start();
        long every = Math.max(50, Math.min(1000,
                ctx.config().trust().sessionLifetime().toMillis() / 4));
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public String host() {
        return socket.getInetAddress().getHostAddress();
    }

    public Set<Session> sessions() {
        return sessions;
    }

    /** The connection caps in force (for tests and the admin view). */
    public ConnectionLimiter limiter() {
        return limiter;
    }

    /** Connections refused by the caps since start. */
    public long refusals() {
        return refusals.get();
    }

    private void loop() {
        while (!closing) {
            Socket s;
            long acceptedAt;
            try {
                s = socket.accept();
                acceptedAt = System.nanoTime();
            } catch (IOException e) {
                if (!closing) {
                    LOG.log(Level.WARNING, "accept failed", e);
                }
                continue;
            }
            try {
                // Replies are small frames written once each; Nagle would hold one back until
                // the peer's delayed ACK of the previous one (tens of ms on a request/response).
                s.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(s);
                continue;
            }
            String host = s.getInetAddress().getHostAddress();
            ConnectionLimiter.Refusal r = limiter.tryOpen(host);
            if (r != ConnectionLimiter.Refusal.NONE) {
                refuse(s, host, r);
                continue;
            }
            try {
                Thread.ofVirtual().name("idle-session-" + s.getRemoteSocketAddress())
                        .start(() -> serve(s, host, acceptedAt));
            } catch (RuntimeException e) {
                limiter.closed(host);
                closeQuietly(s);
            }
        }
    }

    /**
     * Refuses a socket over a cap with a clear status when it can: our hello and
     * {@code ILR#0{"too many connections ..."}} (inside TLS when the client starts TLS), then
     * close, on a virtual thread with short timeouts so a peer that does not read cannot stall
     * anything. At most {@link #POLITE_REFUSALS} at a time; beyond that (a flood) the socket is
     * reset at once. Logged (at most a line a second) and audited.
     */
    private void refuse(Socket s, String host, ConnectionLimiter.Refusal why) {
        long n = refusals.incrementAndGet();
        String reason = why == ConnectionLimiter.Refusal.PER_ADDRESS
                ? "too many connections from " + host + " (the limit is "
                        + ctx.config().maxConnectionsPerAddress() + ")"
                : "the server has too many connections (the limit is "
                        + ctx.config().maxConnections() + ")";
        long now = System.nanoTime();
        if (now - lastRefusalLog > 1_000_000_000L) {
            lastRefusalLog = now;
            LOG.warning(() -> "refused " + s.getRemoteSocketAddress() + ": " + reason + "; " + n
                    + " refused since start");
        }
        ctx.audit().record(null, AuditAction.CONNECT, 0, null, Code.ILR, reason,
                String.valueOf(s.getRemoteSocketAddress()));
        if (!politeRefusals.tryAcquire()) {
            reset(s);
            return;
        }
        try {
            ScheduledFuture<?> cut = sweeper.schedule(() -> closeQuietly(s),
                    POLITE_REFUSAL_MILLIS, TimeUnit.MILLISECONDS);
            Thread.ofVirtual().start(() -> {
                try {
                    politeRefusal(s, reason);
                    cut.cancel(false);
                } finally {
                    politeRefusals.release();
                }
            });
        } catch (RuntimeException e) {
            politeRefusals.release();
            reset(s);
        }
    }

    private void politeRefusal(Socket raw, String reason) {
        Socket s = raw;
        try {
            raw.setSoTimeout(2000);
            if (tls != null) {
                InputStream in = raw.getInputStream();
                int first = in.read();
                if (first != TlsContexts.TLS_HANDSHAKE_RECORD) {
                    reset(raw);
                    return;
                }
                s = TlsContexts.acceptTls(tls, raw,
                        new ByteArrayInputStream(new byte[] {(byte) first}));
            }
            OutputStream out = s.getOutputStream();
            out.write(Handshake.hello(Handshake.VERSION));
            out.write(Codec.encode(0, new Message.Illegal(reason)).toBytes());
            out.flush();
            s.shutdownOutput();
            // Let what the peer sends (its hello, a login) arrive before closing, so the close
            // does not reset the connection before the peer has read the reason.
            InputStream in = s.getInputStream();
            byte[] sink = new byte[4096];
            for (int total = 0; total < 64 * 1024; ) {
                int n = in.read(sink);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            // the peer is gone, or it is not worth more time
        } finally {
            closeQuietly(raw);
            if (s != raw) {
                closeQuietly(s);
            }
        }
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(s);
    }

    /** On the connection's virtual thread: TLS or not, then the session until it ends. */
    private void serve(Socket raw, String host, long acceptedAt) {
        boolean started = false;
        AtomicReference<Session> current = new AtomicReference<>();
        ScheduledFuture<?> watchdog = scheduleLoginDeadline(raw, current, acceptedAt);
        try {
            int heartbeat = (int) Math.min(Integer.MAX_VALUE, Math.min(
                    ctx.config().heartbeatTimeout().toMillis(),
                    ctx.config().loginDeadline().toMillis()));
            Socket s = raw;
            if (tls != null) {
                raw.setSoTimeout(handshakeMillis());
                InputStream in = raw.getInputStream();
                int first;
                try {
                    first = in.read();
                } catch (java.net.SocketTimeoutException e) {
                    LOG.info(() -> raw.getRemoteSocketAddress() + ": sent nothing within "
                            + handshakeMillis() + " ms; closed");
                    closeQuietly(raw);
                    return;
                }
                if (first < 0) {
                    closeQuietly(raw);
                    return;
                }
                if (first != TlsContexts.TLS_HANDSHAKE_RECORD) {
                    refusePlaintext(raw, first);
                    return;
                }
                try {
                    s = TlsContexts.acceptTls(tls, raw,
                            new ByteArrayInputStream(new byte[] {(byte) first}));
                } catch (IOException e) {
                    LOG.fine(() -> raw.getRemoteSocketAddress() + ": TLS handshake failed: "
                            + e.getMessage());
                    closeQuietly(raw);
                    return;
                }
            }
            s.setSoTimeout(heartbeat);
            Connection c = new Connection(s, raw, ctx.config().trust().maxQueuedBytes());
            Session[] holder = new Session[1];
            Session session = new Session(c, ctx, () -> sessions.remove(holder[0]), acceptedAt);
            holder[0] = session;
            sessions.add(session);
            current.set(session);
            if (closing) {
                c.closeNow();
                sessions.remove(session);
                return;
            }
            started = true;
            session.run();
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection setup failed", e);
            if (!started) {
                closeQuietly(raw);
            }
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            limiter.closed(host);
        }
    }

    /**
     * At {@code acceptedAt} + the login deadline: a connection still in its TLS handshake is
     * closed; a session not logged in is told so and closed ({@link Session#loginDeadline}), and
     * closed hard {@link #DEADLINE_GRACE_MILLIS} later if it is still open. Null when the sweeper
     * is shut down (the server is closing; the sockets are closed anyway).
     */
    private ScheduledFuture<?> scheduleLoginDeadline(Socket raw, AtomicReference<Session> current,
            long acceptedAt) {
        long delay = acceptedAt + ctx.config().loginDeadline().toNanos() - System.nanoTime();
        try {
            return sweeper.schedule(() -> {
                Session s = current.get();
                if (s == null) {
                    LOG.info(() -> raw.getRemoteSocketAddress() + ": no TLS handshake within "
                            + ctx.config().loginDeadline().toMillis() + " ms; closed");
                    closeQuietly(raw); // a plain close, as the handshake's own timeout does
                } else if (s.loginDeadline()) {
                    sweeper.schedule(s::closeNow, DEADLINE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                }
            }, Math.max(0, delay), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null;
        }
    }

    /** No single read of the TLS handshake may wait longer than the whole login deadline. */
    private int handshakeMillis() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                ctx.config().loginDeadline().toMillis()));
    }

    /**
     * A plaintext client at a TLS server: read its hello (if it is one), answer with ours and
     * {@code ILR#0{TLS_REQUIRED}}, close. Anything else that is not TLS is just closed.
     */
    private void refusePlaintext(Socket raw, int first) {
        String from = String.valueOf(raw.getRemoteSocketAddress());
        try {
            if (first == 'I') {
                byte[] rest = new byte[Handshake.HELLO_BYTES - 1];
                raw.getInputStream().readNBytes(rest, 0, rest.length);
                OutputStream out = raw.getOutputStream();
                out.write(Handshake.hello(Handshake.VERSION));
                FrameChannel ch = new FrameChannel(InputStream.nullInputStream(), out);
                ch.writeAndFlush(Codec.encode(0, new Message.Illegal(TLS_REQUIRED)));
                raw.shutdownOutput();
            }
        } catch (IOException e) {
            // it is gone already
        } finally {
            closeQuietly(raw);
        }
        LOG.info(() -> from + ": a plaintext client at a TLS server; told it TLS is required");
        ctx.audit().record(null, AuditAction.HELLO, 0, null, Code.ILR, "plaintext client refused: TLS required",
                from);
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            for (Session s : sessions) {
                s.checkLifetime(now);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session sweep failed", e);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
    }

    /** Stops accepting new connections (open sessions go on). */
    public void stopAccepting() {
        closing = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        stopAccepting();
        sweeper.shutdownNow();
        for (Session s : sessions) {
            s.closeNow();
        }
    }
}
