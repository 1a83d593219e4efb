package idle.server.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accepts connections and runs one {@link Session} per connection on its own virtual thread, so
 * thousands of idle lenders cost thousands of cheap virtual threads, not platform threads. A
 * connection silent for the heartbeat timeout is dropped by its read timeout.
 */
public final class Acceptor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Acceptor.class.getName());

    private final ServerSocket socket;
    private final ServerContext ctx;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final ConnectionLimiter limiter;
    private final Thread thread;
    private volatile boolean closing;

    public Acceptor(String bind, int port, ServerContext ctx) throws IOException {
        this.ctx = ctx;
        this.limiter = new ConnectionLimiter(ctx.config().maxConnectionsPerAddress(),
                ctx.config().maxConnections());
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 1024);
        this.thread = Thread.ofPlatform().name("idle-acceptor").daemon(true).unstarted(this::loop);
    }

    public void start() {
        thread.start();
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

    private void loop() {
        int timeout = (int) Math.min(Integer.MAX_VALUE, Math.min(
                ctx.config().heartbeatTimeout().toMillis(),
                ctx.config().loginDeadline().toMillis()));
        while (!closing) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.log(Level.WARNING, "accept failed", e);
                }
                continue;
            }
            String host = s.getInetAddress().getHostAddress();
            ConnectionLimiter.Refusal refusal = limiter.tryOpen(host);
            if (refusal != ConnectionLimiter.Refusal.NONE) {
                refuse(s, refusal == ConnectionLimiter.Refusal.PER_ADDRESS
                        ? "too many connections from " + host + " (the limit is "
                                + ctx.config().maxConnectionsPerAddress() + ")"
                        : "the server has too many connections (the limit is "
                                + ctx.config().maxConnections() + ")");
                continue;
            }
            try {
                s.setSoTimeout(timeout);
                Connection c = new Connection(s);
                Session[] holder = new Session[1];
                Session session = new Session(c, ctx, () -> {
                    sessions.remove(holder[0]);
                    limiter.closed(host);
                });
                holder[0] = session;
                sessions.add(session);
                if (closing) {
                    c.closeNow();
                    sessions.remove(session);
                    continue;
                }
                Thread.ofVirtual().name("idle-session-" + s.getRemoteSocketAddress())
                        .start(session);
            } catch (IOException e) {
                limiter.closed(host);
                LOG.log(Level.FINE, "connection setup failed", e);
                try {
                    s.close();
                } catch (IOException ignored) {
                    // gone
                }
            }
        }
    }

    /**
     * Refuses a connection without reading from it: our hello and {@code ILR#0{reason}}, then
     * close, on a virtual thread so a peer that does not read cannot stall the acceptor.
     */
    private void refuse(Socket s, String reason) {
        LOG.warning(() -> "refused " + s.getRemoteSocketAddress() + ": " + reason);
        ctx.audit().record(null, "CONNECT", 0, null, "ILR", reason,
                String.valueOf(s.getRemoteSocketAddress()));
        Thread.ofVirtual().start(() -> {
            try (s) {
                s.setSoTimeout(2000);
                var out = s.getOutputStream();
                out.write(idle.shared.protocol.Handshake.hello(idle.shared.protocol.Handshake.VERSION));
                out.write(idle.shared.message.Codec.encode(0,
                        new idle.shared.message.Message.Illegal(reason)).toBytes());
                out.flush();
                s.shutdownOutput();
                s.getInputStream().readNBytes(8); // let the peer's hello arrive, then close
            } catch (IOException e) {
                // the peer is gone
            }
        });
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
        for (Session s : sessions) {
            s.closeNow();
        }
    }
}
