package idle.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP relay between a client and the server, so a test can cut the network under a live
 * connection ({@link #cut}), silently lose everything on it ({@link #stallExisting}) or take the
 * route away for good ({@link #close}). Used by the end-to-end and the fault-injection tests.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final java.util.Set<Socket> stalled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        Thread t = new Thread(this::acceptLoop, "proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far (a reconnect shows as one more). */
    public int accepted() {
        return accepted.get();
    }

    /**
     * Stops relaying on the current connections without closing them, like a network path that
     * silently loses everything; new connections are relayed normally.
     */
    public void stallExisting() {
        stalled.addAll(open);
    }

    /** Drops every relayed connection at once, as a network failure would; new ones still work. */
    public void cut() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // gone
            }
        }
        open.clear();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // gone
        }
        cut();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (closed) {
                    client.close();
                    return;
                }
                Socket server = new Socket(targetHost, targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                accepted.incrementAndGet();
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (stalled.contains(from)) {
                        continue; // swallowed by the broken path
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // cut
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // gone
                }
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }
}
