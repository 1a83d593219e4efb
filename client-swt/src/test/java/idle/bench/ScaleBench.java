package idle.bench;

import idle.fault.Accounts;
import idle.fault.ServerProcess;
import idle.shared.message.Message;
import idle.shared.model.LenderCapabilities;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
                    // pacing, not synchronisation: one wake-up per heartbeat (100,000 peers
                    // waking twice a second to look at a flag would load the machine); the end
                    // of the phase interrupts the sleep
                    Thread.sleep(wait);
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
        } catch (InterruptedException e) {
            // the phase ended
        } catch (Exception e) {
            if (!stop.get()) {
                lost.incrementAndGet();
            }
        }
    }

    List<Figure> run() throws Exception {
        raiseFileLimit();
        List<Figure> out = new ArrayList<>();
        out.addAll(measure(ctx.quick ? 1_000 : 100_000, false, 2048, 100));
        out.addAll(measure(ctx.quick ? 1_000 : 10_000, true, 512, 50));
        return out;
    }

    /** Open files this JVM (and the server it starts, which inherits it) may have. */
    static final int FILE_LIMIT = 1 << 20;

    /**
     * Raises this process's open-file limit to {@link #FILE_LIMIT} with {@code prlimit} (root may
     * raise the hard limit; the benchmark runs as root in CI); child processes started later
     * inherit it. Logs and goes on when it cannot: the figure then fails with a clear error at
     * the connection that found no file descriptor.
     */
    private void raiseFileLimit() {
        long pid = ProcessHandle.current().pid();
        try {
            Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid),
                    "--nofile=" + FILE_LIMIT + ":" + FILE_LIMIT).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0) {
                ctx.log("scale: could not raise the open-file limit: " + said);
            }
        } catch (IOException | InterruptedException e) {
            ctx.log("scale: could not raise the open-file limit: " + e.getMessage());
        }
    }

    /**
     * {@code n} simulated lenders on one server, over TLS or plaintext; the heap row's goal is
     * {@code heapGoalMib}, the heartbeat row's {@code p99GoalMs}.
     */
    private List<Figure> measure(int n, boolean tls, int heapGoalMib, int p99GoalMs)
            throws Exception {
        long beatPhaseMs = ctx.quick ? 10_000 : 30_000;
        String mode = tls ? "TLS" : "plaintext";
        Path data = ctx.dir("scale-" + n + "-" + mode).resolve("server");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            users.add("l" + i);
        }
        Accounts.create(data, BenchContext.BENCH_ITERATIONS, BenchContext.PASSWORD, users);
        List<RawPeer> peers = java.util.Collections.synchronizedList(new ArrayList<>());
        ConcurrentLinkedQueue<Double> rtts = new ConcurrentLinkedQueue<>();
        AtomicInteger lostBeats = new AtomicInteger();
        long heap;
        long idleHeap;
        double connectSecs;
        int alive;
        long serverCpuMs;
        String top;
        try (ServerProcess server = ServerProcess.fromJar(ctx.serverJar, data, "127.0.0.1", 0,
                BenchContext.SERVER_JVM, tls, List.of("--max-connections",
                        Integer.toString(n + 1_000), "--max-connections-per-address",
                        Integer.toString(n / SOURCES + 1_000)))) {
            idleHeap = server.heapUsedAfterGc();
            ctx.log("scale: connecting " + n + " simulated lenders (" + mode + ")");
            javax.net.ssl.SSLContext tlsContext = tls ? RawPeer.pinned(data.resolveSibling(
                    "known_servers"), server.host(), server.port()) : null;
            // Each peer heart-beats every 5 s from the moment it is connected (the server drops
            // a connection silent for 15 s); round trips count once all are connected.
            java.util.concurrent.atomic.AtomicLongArray window =
                    new java.util.concurrent.atomic.AtomicLongArray(new long[] {Long.MAX_VALUE,
                            Long.MAX_VALUE});
            java.util.concurrent.atomic.AtomicBoolean stop =
                    new java.util.concurrent.atomic.AtomicBoolean();
            List<Thread> beaters = java.util.Collections.synchronizedList(new ArrayList<>());
            long t0 = System.nanoTime();
            // Many logins in flight at once, as many lenders starting would be; each waits for
            // its login (a PBKDF2 check and a durable audit row, committed in groups).
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
            java.util.concurrent.atomic.AtomicReference<Exception> failed =
                    new java.util.concurrent.atomic.AtomicReference<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n && failed.get() == null; i++) {
                    int k = i;
                    inFlight.acquire();
                    pool.submit(() -> {
                        try {
                            RawPeer p = RawPeer.login(server.host(), server.port(),
                                    "127.0.0." + (1 + k % SOURCES), "l" + (k % ACCOUNTS),
                                    BenchContext.PASSWORD, tlsContext, 512);
                            peers.add(p);
                            Message r = p.request(new Message.MakeLender(new LenderCapabilities(
                                    "3.11.2", 4, 8192, 1, 60, 1024, 600, 64, "bench double",
                                    false)), 60_000);
                            if (!(r instanceof Message.Success)) {
                                throw new IllegalStateException("MML refused: " + r);
                            }
                            long offset = 5_000L * k / n;
                            beaters.add(Thread.ofVirtual().start(() -> beat(p, offset, window,
                                    stop, rtts, lostBeats)));
                        } catch (Exception e) {
                            failed.compareAndSet(null, e);
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            }
            if (failed.get() != null) {
                throw new IOException("lender " + peers.size() + " of " + n
                        + " could not connect: " + failed.get(), failed.get());
            }
            connectSecs = (System.nanoTime() - t0) / 1e9;
            ctx.log(String.format(Locale.ROOT, "scale: %d connected in %.1f s; heart-beating for "
                    + "%d s", n, connectSecs, beatPhaseMs / 1000));
            long cpu0 = server.cpuMillis();
            long from = System.currentTimeMillis();
            window.set(1, from + beatPhaseMs);
            window.set(0, from);
            Thread.sleep(beatPhaseMs); // the measured phase: its length, not a synchronisation
            stop.set(true);
            serverCpuMs = server.cpuMillis() - cpu0;
            synchronized (beaters) {
                for (Thread t : beaters) {
                    t.interrupt();
                }
            }
            synchronized (beaters) {
                for (Thread t : beaters) {
                    t.join();
                }
            }
            synchronized (peers) {
                alive = (int) peers.stream().filter(p -> !p.isClosed()).count();
            }
            heap = server.heapUsedAfterGc();
            top = server.topOfHeap(6);
            synchronized (peers) {
                for (RawPeer p : peers) {
                    p.close();
                }
            }
        }
        double base = loopbackRttP99();
        List<Double> samples = new ArrayList<>(rtts);
        double p99 = Stats.percentile(samples, 99);
        double mib = heap / (double) (1 << 20);
        boolean heapOk = mib <= heapGoalMib && alive == n;
        boolean ok = p99 < p99GoalMs && alive == n && lostBeats.get() == 0;
        String notes = String.format(Locale.ROOT, "%s; %d lenders from %d loopback addresses, %d "
                + "connected in %.1f s, %d still connected at the end, %d heartbeats in %d s: p50 "
                + "%.2f ms p99 %.2f ms max %.1f ms, %d failed; the server used %.2f cores during "
                + "the heartbeat phase; server heap after GC %.0f MiB (%.0f MiB before they "
                + "connected, so %.1f KiB per lender; largest: %s); simulated lenders are the "
                + "benchmark's test double; accounts use 1,000 PBKDF2 rounds; the bench raised "
                + "its open-file limit and the server's connection caps (--max-connections %d, "
                + "--max-connections-per-address %d)", mode, n, SOURCES, n, connectSecs, alive,
                samples.size(), beatPhaseMs / 1000, Stats.percentile(samples, 50), p99,
                Stats.percentile(samples, 100), lostBeats.get(), serverCpuMs
                        / (double) beatPhaseMs, mib, idleHeap / 1048576.0,
                (heap - idleHeap) / 1024.0 / n, top, n + 1_000, n / SOURCES + 1_000);
        String what = n + " lenders, " + mode;
        return List.of(new Figure("scale-heap-" + mode.toLowerCase(Locale.ROOT),
                        "server heap after GC, " + what, mib, "MiB", idleHeap / 1048576.0,
                        "MiB with no lender", String.format(Locale.ROOT, "x%.1f",
                                heap / (double) idleHeap), "<= " + String.format(Locale.ROOT,
                                        "%,d", heapGoalMib) + " MiB", heapOk ? "PASS" : "MISS",
                        notes),
                new Figure("scale-heartbeat-" + mode.toLowerCase(Locale.ROOT),
                        "heartbeat round trip p99, " + what, p99, "ms", base,
                        "ms p99 of a bare 64-byte loopback round trip",
                        String.format(Locale.ROOT, "x%,.0f", p99 / base), "< " + p99GoalMs
                                + " ms", ok ? "PASS" : "MISS", "p50 " + String.format(
                                        Locale.ROOT, "%.2f", Stats.percentile(samples, 50))
                                + " ms; see the heap row"));
    }
}
