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
    private final Thread thread;
    private volatile boolean closing;

    public Acceptor(String bind, int port, ServerContext ctx) throws IOException {
        this.ctx = ctx;
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
            try {
                s.setSoTimeout(timeout);
                Connection c = new Connection(s);
                Session[] holder = new Session[1];
                Session session = new Session(c, ctx, () -> sessions.remove(holder[0]));
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
                LOG.log(Level.FINE, "connection setup failed", e);
                try {
                    s.close();
                } catch (IOException ignored) {
                    // gone
                }
            }
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
        for (Session s : sessions) {
            s.closeNow();
        }
    }
}
