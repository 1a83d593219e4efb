package idle.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A user-space stand-in for {@code tc netem delay} where the kernel has no netem: a TCP relay on
 * loopback that holds every byte for {@code delay} in each direction, so a request/response
 * across it takes two delays longer, like a link with that one-way latency.
 *
 * <p>It also keeps what a real long link imposes on TCP: a sender can have at most one receive
 * window of bytes unacknowledged, and learns that bytes were received only one more delay after
 * they arrived. So each direction lets at most {@code window} bytes be in flight, and the room
 * taken by a chunk is given back {@code delay} after the chunk was delivered (the ACK's trip
 * back). A bulk copy through it therefore moves at most {@code window / (2 * delay)}, as TCP
 * with that window and round trip does; without the window the relay would read eagerly and
 * hide the latency from every sender.
 *
 * <p>Threads: one platform thread per direction reading, one delivering, and one timer shared
 * by all; {@link #close} ends everything.
 */
final class DelayLine implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final long delayNanos;
    private final int window;
    private final ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("delay-line-acks").daemon(true).factory());
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private record Chunk(byte[] data, int length, long dueNanos) {
    }

    DelayLine(String targetHost, int targetPort, Duration delay, int window) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.delayNanos = delay.toNanos();
        this.window = window;
        Thread.ofPlatform().daemon().name("delay-line-accept").start(this::acceptLoop);
    }

    /**
     * The most a TCP sender here can have unacknowledged: its send buffer's maximum
     * ({@code net.ipv4.tcp_wmem}) or the receiver's buffer maximum ({@code net.ipv4.tcp_rmem}),
     * whichever is smaller; 4 MiB when they cannot be read.
     */
    static int kernelMaxWindow() {
        try {
            return Math.min(third("/proc/sys/net/ipv4/tcp_wmem"), third("/proc/sys/net/ipv4/tcp_rmem"));
        } catch (IOException | RuntimeException e) {
            return 4 << 20;
        }
    }

    private static int third(String file) throws IOException {
        // Files.readString trusts the size /proc reports and returned only "4" here
        try (var in = Files.newInputStream(Path.of(file))) {
            String[] v = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                    .trim().split("\\s+");
            return Integer.parseInt(v[2]);
        }
    }

    String host() {
        return "127.0.0.1";
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                for (Socket s : List.of(client, server)) {
                    s.setTcpNoDelay(true);
                    open.add(s);
                }
                direction(client, server);
                direction(server, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void direction(Socket from, Socket to) {
        Semaphore room = new Semaphore(window);
        BlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("delay-line-read").start(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream()) {
                while (true) {
                    int want = Math.min(buf.length, window);
                    room.acquire(want);
                    int n = in.read(buf, 0, want);
                    room.release(want - Math.max(n, 0));
                    if (n < 0) {
                        break;
                    }
                    line.add(new Chunk(java.util.Arrays.copyOf(buf, n), n,
                            System.nanoTime() + delayNanos));
                }
            } catch (IOException | InterruptedException e) {
                // the connection is gone
            }
            line.add(new Chunk(null, 0, System.nanoTime() + delayNanos));
        });
        Thread.ofPlatform().daemon().name("delay-line-deliver").start(() -> {
            try (OutputStream out = to.getOutputStream()) {
                while (true) {
                    Chunk c = line.take();
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // the latency being modelled
                    }
                    if (c.data() == null) {
                        to.shutdownOutput();
                        break;
                    }
                    out.write(c.data(), 0, c.length());
                    out.flush();
                    int n = c.length();
                    acks.schedule(() -> room.release(n), delayNanos, TimeUnit.NANOSECONDS);
                }
            } catch (IOException | InterruptedException e) {
                // the connection is gone
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // gone
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // gone
        }
        open.forEach(DelayLine::closeQuietly);
        acks.shutdownNow();
    }
}
