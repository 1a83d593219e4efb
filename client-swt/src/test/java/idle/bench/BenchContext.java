package idle.bench;

import idle.fault.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What every benchmark gets: the mode, a scratch directory, the server jar, a log. */
final class BenchContext {
    static final String PASSWORD = "bench-password";
    /** PBKDF2 rounds of benchmark accounts (production: 600,000; see {@link idle.fault.Accounts}). */
    static final int BENCH_ITERATIONS = 1_000;
    /**
     * Server JVM options: G1, plus any given in the system property {@code idle.bench.serverJvm}
     * (space-separated, e.g. {@code -XX:StartFlightRecording=filename=server.jfr} to profile).
     */
    static final List<String> SERVER_JVM = serverJvm();

    private static List<String> serverJvm() {
        List<String> opts = new java.util.ArrayList<>(List.of("-XX:+UseG1GC"));
        String extra = System.getProperty("idle.bench.serverJvm", "").strip();
        if (!extra.isEmpty()) {
            opts.addAll(List.of(extra.split("\\s+")));
        }
        return List.copyOf(opts);
    }

    final boolean quick;
    final Path work;
    final Path serverJar;
    private int dirs;

    BenchContext(boolean quick, Path work) {
        this.quick = quick;
        this.work = work;
        this.serverJar = ServerProcess.jar();
    }

    /** A fresh directory under the scratch directory. */
    Path dir(String name) throws IOException {
        Path d = work.resolve(String.format("%02d-%s", ++dirs, name));
        Files.createDirectories(d);
        return d;
    }

    void log(String line) {
        System.err.println("bench: " + line);
    }
}
