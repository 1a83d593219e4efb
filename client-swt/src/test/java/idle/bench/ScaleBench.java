package idle.bench;

import idle.fault.Accounts;
import idle.fault.ServerProcess;
import idle.shared.message.Message;
import idle.shared.model.LenderCapabilities;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Figure 4, connection scale: N simulated lenders ({@link RawPeer}, the benchmark's test double)
 * connect to a server process, log in (bench accounts hash with 1,000 PBKDF2 rounds, stored per
 * hash), offer themselves with MML and send a heartbeat every 5 s, spread evenly; the heartbeat
 * round trips (HBT to OK, measured in this JVM) give the p99, and the server's heap after a full
 * GC is read with jcmd. Connections come from 127.0.0.1-127.0.0.8 so a per-address connection cap
 * would not be what is measured.
 */
final class ScaleBench {
    static final int ACCOUNTS = 100;
    static final int SOURCES = 8;
    private final BenchContext ctx;

    ScaleBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    /** p99 of 20,000 64-byte request/response round trips over loopback, TCP_NODELAY. */
    static double loopbackRttP99() throws Exception {
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Thread echo = Thread.ofPlatform().daemon().start(() -> {
                try (java.net.Socket s = ss.accept()) {
                    s.setTcpNoDelay(true);
                    byte[] b = new byte[64];
                    var in = s.getInputStream();
                    var out = s.getOutputStream();
                    while (in.readNBytes(b, 0, 64) == 64) {
                        out.write(b);
                    }
                } catch (java.io.IOException ignored) {
                    // done
                }
            });
            double[] rtt = new double[20_000];
            try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(),
                    ss.getLocalPort())) {
                s.setTcpNoDelay(true);
                byte[] b = new byte[64];
                var in = s.getInputStream();
                var out = s.getOutputStream();
                for (int i = 0; i < rtt.length; i++) {
                    long t0 = System.nanoTime();
                    out.write(b);
                    in.readNBytes(b, 0, 64);
                    rtt[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            echo.join(5_000);
            return Stats.percentile(rtt, 99);
        }
    }

    private static void beat(RawPeer p, long offset,
            java.util.concurrent.atomic.AtomicLongArray window,
            java.util.concurrent.atomic.AtomicBoolean stop, ConcurrentLinkedQueue<Double> rtts,
            AtomicInteger lost) {
        long next = System.currentTimeMillis() + offset;
        long token = 1;
        try {
            while (!stop.get()) {
                long wait = next - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(Math.min(wait, 500));
                    continue;
                }
                long b = System.nanoTime();
                long at = System.currentTimeMillis();
                p.request(new Message.Heartbeat(token++), 15_000);
                if (at >= window.get(0) && at < window.get(1)) {
                    rtts.add((System.nanoTime() - b) / 1e6);
                }
                next += 5_000;
            }
        } catch (Exception e) {
            lost.incrementAndGet();
        }
    }

    List<Figure> run() throws Exception {
        int n = ctx.quick ? 1_000 : 10_000;
        long beatPhaseMs = ctx.quick ? 10_000 : 30_000;
        Path data = ctx.dir("scale").resolve("server");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            users.add("l" + i);
        }
        Accounts.create(data, BenchContext.BENCH_ITERATIONS, BenchContext.PASSWORD, users);
        List<RawPeer> peers = new ArrayList<>();
        ConcurrentLinkedQueue<Double> rtts = new ConcurrentLinkedQueue<>();
        AtomicInteger lostBeats = new AtomicInteger();
        long heap;
        long idleHeap;
        double connectSecs;
        int alive;
        try (ServerProcess server = ServerProcess.fromJar(ctx.serverJar, data, "127.0.0.1", 0,
                BenchContext.SERVER_JVM)) {
            idleHeap = server.heapUsedAfterGc();
            ctx.log("scale: connecting " + n + " simulated lenders");
            // Each peer heart-beats every 5 s from the moment it is connected (the server drops
            // a connection silent for 15 s); round trips count once all are connected.
            java.util.concurrent.atomic.AtomicLongArray window =
                    new java.util.concurrent.atomic.AtomicLongArray(new long[] {Long.MAX_VALUE,
                            Long.MAX_VALUE});
            java.util.concurrent.atomic.AtomicBoolean stop =
                    new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> beaters = new java.util.concurrent.CopyOnWriteArrayList<>();
            long t0 = System.nanoTime();
            try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
                List<Future<RawPeer>> fs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int k = i;
                    fs.add(pool.submit(() -> {
                        RawPeer p = RawPeer.login(server.host(), server.port(),
                                "127.0.0." + (1 + k % SOURCES), "l" + (k % ACCOUNTS),
                                BenchContext.PASSWORD);
                        Message r = p.request(new Message.MakeLender(new LenderCapabilities(
                                "3.11.2", 4, 8192, 1, 60, 1024, 600, 64, "bench double", false)),
                                60_000);
                        if (!(r instanceof Message.Success)) {
                            throw new IllegalStateException("MML refused: " + r);
                        }
                        long offset = 5_000L * k / n;
                        beaters.add(Thread.ofVirtual().start(() -> beat(p, offset, window, stop,
                                rtts, lostBeats)));
                        return p;
                    }));
                }
                for (Future<RawPeer> f : fs) {
                    peers.add(f.get());
                }
            }
            connectSecs = (System.nanoTime() - t0) / 1e9;
            ctx.log(String.format(Locale.ROOT, "scale: %d connected in %.1f s; heart-beating for "
                    + "%d s", n, connectSecs, beatPhaseMs / 1000));
            long from = System.currentTimeMillis();
            window.set(1, from + beatPhaseMs);
            window.set(0, from);
            Thread.sleep(beatPhaseMs); // the measured phase: its length, not a synchronisation
            stop.set(true);
            for (Thread t : beaters) {
                t.join();
            }
            alive = (int) peers.stream().filter(p -> !p.isClosed()).count();
            heap = server.heapUsedAfterGc();
            for (RawPeer p : peers) {
                p.close();
            }
        }
        double base = loopbackRttP99();
        List<Double> samples = new ArrayList<>(rtts);
        double p99 = Stats.percentile(samples, 99);
        double mib = heap / (double) (1 << 20);
        boolean ok = mib <= 512 && p99 < 50 && alive == n && lostBeats.get() == 0;
        String notes = String.format(Locale.ROOT, "%d lenders from %d loopback addresses, %d "
                + "connected in %.1f s, %d still connected at the end, %d heartbeats: p50 %.2f ms "
                + "p99 %.2f ms max %.1f ms, %d failed; server heap after GC %.0f MiB (%.0f MiB "
                + "before they connected, so %.1f KiB per lender); simulated lenders are the "
                + "benchmark's test double; accounts use 1,000 PBKDF2 rounds", n, SOURCES, n,
                connectSecs, alive, samples.size(), Stats.percentile(samples, 50), p99,
                Stats.percentile(samples, 100), lostBeats.get(), mib, idleHeap / 1048576.0,
                (heap - idleHeap) / 1024.0 / n);
        return List.of(new Figure("scale-heap", "server heap after GC, " + n + " lenders", mib,
                        "MiB", idleHeap / 1048576.0, "MiB with no lender", String.format(
                                Locale.ROOT, "x%.1f", heap / (double) idleHeap), "<= 512 MiB",
                        mib <= 512 && alive == n ? "PASS" : "MISS", notes),
                new Figure("scale-heartbeat", "heartbeat round trip p99, " + n + " lenders", p99,
                        "ms", base, "ms p99 of a bare 64-byte loopback round trip",
                        String.format(Locale.ROOT, "x%,.0f", p99 / base), "< 50 ms",
                        ok ? "PASS" : "MISS", "p50 " + String.format(Locale.ROOT, "%.2f",
                                Stats.percentile(samples, 50)) + " ms; see the heap row"));
    }
}
