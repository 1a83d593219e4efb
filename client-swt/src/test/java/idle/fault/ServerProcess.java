package idle.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IDLE server as a real child process ({@code server --data DIR --port N}): started from the
 * shaded jar or from the test classpath, ready once it printed
 * {@code IDLE server listening on HOST:PORT}. {@link #kill} is SIGKILL, {@link #stop} SIGTERM (a
 * clean shutdown through the server's hook).
 */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("IDLE server listening on (\\S+):(\\d+)");

    private final Process process;
    private final String host;
    private final int port;
    private final long readyNanos;
    private final List<String> output;

    private ServerProcess(Process process, String host, int port, long readyNanos,
            List<String> output) {
        this.process = process;
        this.host = host;
        this.port = port;
        this.readyNanos = readyNanos;
        this.output = output;
    }

    /** The server from the test classpath ({@code idle.server.ServerMain}). */
    public static ServerProcess fromClasspath(Path dataDir, String bind, int port, List<String> jvm)
            throws IOException, TimeoutException {
        return fromClasspath(dataDir, bind, port, jvm, List.of());
    }

    /** Like {@link #fromClasspath(Path, String, int, List)} with more server options. */
    public static ServerProcess fromClasspath(Path dataDir, String bind, int port, List<String> jvm,
            List<String> moreArgs) throws IOException, TimeoutException {
        List<String> args = new ArrayList<>(args(dataDir, bind, port));
        args.addAll(moreArgs);
        return start(ChildJava.command(jvm, "idle.server.ServerMain", args), dataDir);
    }

    /** The server from its shaded jar, as {@code ./idle server} runs it. */
    public static ServerProcess fromJar(Path jar, Path dataDir, String bind, int port,
            List<String> jvm) throws IOException, TimeoutException {
        return fromJar(jar, dataDir, bind, port, jvm, false, List.of());
    }

    /** Like {@link #fromJar(Path, Path, String, int, List)} with more server options. */
    public static ServerProcess fromJar(Path jar, Path dataDir, String bind, int port,
            List<String> jvm, List<String> moreArgs) throws IOException, TimeoutException {
        return fromJar(jar, dataDir, bind, port, jvm, false, moreArgs);
    }

    /**
     * As above, with TLS (the default users run: the server's key is made in its data
     * directory) when {@code tls}, else plaintext ({@code --insecure-plaintext}).
     */
    public static ServerProcess fromJar(Path jar, Path dataDir, String bind, int port,
            List<String> jvm, boolean tls) throws IOException, TimeoutException {
        return fromJar(jar, dataDir, bind, port, jvm, tls, List.of());
    }

    /** As above, TLS or plaintext, with more server options. */
    public static ServerProcess fromJar(Path jar, Path dataDir, String bind, int port,
            List<String> jvm, boolean tls, List<String> moreArgs)
            throws IOException, TimeoutException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJava.javaBin());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(jar.toString());
        List<String> args = new ArrayList<>(args(dataDir, bind, port));
        if (tls) {
            args.remove("--insecure-plaintext");
        }
        cmd.addAll(args);
        cmd.addAll(moreArgs);
        return start(cmd, dataDir);
    }

    /** The shaded server jar under the root (the launcher builds it). */
    public static Path jar() {
        Path dir = ChildJava.root().resolve("server/target");
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("idle-server-.*-all\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException(
                            "no idle-server-*-all.jar in " + dir + ": build first"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
    }

    private static List<String> args(Path dataDir, String bind, int port) {
        // plaintext: benchmarks measure IDLE, not TLS, and leave no pins in ~/.idle (issue 6);
        // the scale benchmark simulates many lender connections per account
        return List.of("server", "--data", dataDir.toString(), "--bind", bind, "--port",
                Integer.toString(port), "--insecure-plaintext", "--max-lenders-per-user",
                "1000000");
    }

    private static ServerProcess start(List<String> cmd, Path dataDir)
            throws IOException, TimeoutException {
        Files.createDirectories(dataDir);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(dataDir.resolveSibling(dataDir.getFileName() + ".stderr").toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        CompletableFuture<Matcher> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("server-stdout-" + p.pid()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        ready.complete(m);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.completeExceptionally(new IOException("the server ended before it was ready"));
        });
        Matcher m;
        try {
            m = ready.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new TimeoutException("the server printed no ready line within 60 s");
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            p.destroyForcibly();
            String err = "";
            try {
                err = Files.readString(dataDir.resolveSibling(dataDir.getFileName() + ".stderr"));
            } catch (IOException ignored) {
                // nothing to show
            }
            throw new IOException("the server did not start: " + err.strip(), e.getCause());
        }
        long readyAt = System.nanoTime() - t0;
        return new ServerProcess(p, m.group(1), Integer.parseInt(m.group(2)), readyAt, lines);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String address() {
        return host + ":" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Nanoseconds from starting the process to its ready line. */
    public long readyNanos() {
        return readyNanos;
    }

    /** CPU time (user + system) the process used so far, from /proc; -1 when unknown. */
    public long cpuMillis() {
        ProcStat s = procStat();
        return s == null ? -1 : s.cpuMillis();
    }

    /**
     * The system part of {@link #cpuMillis}: time in the kernel on the process's behalf (system
     * calls, page faults), from /proc; -1 when unknown.
     */
    public long systemCpuMillis() {
        ProcStat s = procStat();
        return s == null ? -1 : s.systemMillis();
    }

    private ProcStat procStat() {
        try {
            return ProcStat.parse(Files.readString(Path.of("/proc", Long.toString(pid()),
                    "stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM (clean shutdown), waits up to 30 s, then SIGKILL. Returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /**
     * The server's heap in use right after a full GC, in bytes, asked with {@code jcmd PID GC.run}
     * and {@code jcmd PID GC.heap_info}.
     */
    public long heapUsedAfterGc() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        run(List.of(jcmd.toString(), Long.toString(pid()), "GC.run"));
        String info = run(List.of(jcmd.toString(), Long.toString(pid()), "GC.heap_info"));
        Matcher m = Pattern.compile("heap\\s+total.*?, used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IOException("cannot read the heap from jcmd GC.heap_info: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /**
     * The {@code n} classes holding the most heap, from {@code jcmd PID GC.class_histogram}, as
     * "name bytes-in-KiB" pairs (e.g. "byte[] 81234 KiB, ...").
     */
    public String topOfHeap(int n) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String h = run(List.of(jcmd.toString(), Long.toString(pid()), "GC.class_histogram"));
        List<String> top = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)").matcher(h);
        while (top.size() < n && m.find()) {
            top.add(m.group(3) + " " + Long.parseLong(m.group(2)) / 1024 + " KiB ("
                    + m.group(1) + ")");
        }
        return String.join(", ", top);
    }

    /** A thread dump of the server ({@code jcmd PID Thread.print}). */
    public String threadDump() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return run(List.of(jcmd.toString(), Long.toString(pid()), "Thread.print"));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** What the server printed on stdout so far. */
    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                stop();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
