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
    /** Server JVM options ({@link #serverJvm}). */
    static final List<String> SERVER_JVM = serverJvm();

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

    /**
     * {@code -XX:+UseG1GC}, plus what {@code -Didle.bench.serverJvm="..."} adds (space separated,
     * e.g. a flight recording while profiling).
     */
    private static List<String> serverJvm() {
        List<String> jvm = new java.util.ArrayList<>(List.of("-XX:+UseG1GC"));
        String extra = System.getProperty("idle.bench.serverJvm", "").strip();
        if (!extra.isEmpty()) {
            jvm.addAll(List.of(extra.split("\\s+")));
        }
        return List.copyOf(jvm);
    }

    void log(String line) {
        System.err.println("bench: " + line);
    }
}
