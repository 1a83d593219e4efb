package idle.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server in a child JVM of the test's classpath ({@code ServerMain server --data DIR --port 0},
 * TLS on), for tests that kill it with SIGKILL: started by {@link #start}, which waits for its
 * ready line (up to 120 s: a cold child); {@link #close} kills it if it still runs. Its stderr
 * goes to {@code DIR/child-stderr.txt}.
 */
final class ChildServer implements AutoCloseable {
    private final Process process;
    final String host;
    final int port;

    private ChildServer(Process process, String host, int port) {
        this.process = process;
        this.host = host;
        this.port = port;
    }

    /** Starts the child on {@code dir} with the JVM's {@code -D} options {@code properties}. */
    static ChildServer start(Path dir, String... properties) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"),
                "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "-Didle.log.quiet=true"));
        cmd.addAll(List.of(properties));
        cmd.addAll(List.of("idle.server.ServerMain", "server", "--data", dir.toString(),
                "--port", "0"));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("child-stderr.txt")
                .toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(120, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("IDLE server listening on (.+):(\\d+)").matcher(
                    line == null ? "" : line);
            if (!m.matches()) {
                throw new IllegalStateException("the child server printed no ready line but "
                        + line + " (see " + dir.resolve("child-stderr.txt") + ")");
            }
            return new ChildServer(p, m.group(1), Integer.parseInt(m.group(2)));
        } catch (Exception | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** SIGKILL; true once the process is gone (within 30 s). */
    boolean kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
