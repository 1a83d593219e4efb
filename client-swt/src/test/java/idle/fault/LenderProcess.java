package idle.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real lender as a child process: {@code idle.client.ClientMain lend} with the real sandbox and
 * python3, logged in with {@code IDLE_PASSWORD}. Its stdout (one line per job event) is collected
 * so a test can see which jobs it started.
 */
public final class LenderProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("job (\\d+) \\(attempt (\\d+)\\).*: started");

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();

    private LenderProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofPlatform().daemon().name("lender-stdout-" + name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // ended
            }
        });
    }

    /**
     * Starts {@code lend} as {@code user} against {@code address} with {@code slots} job slots;
     * its data in {@code dir}, job directories under {@code workRoot} (which the sandbox user must
     * be able to reach).
     */
    public static LenderProcess start(String name, String address, String user, String password,
            int slots, Path dir, Path workRoot) throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(workRoot);
        List<String> cmd = ChildJava.command(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-Duser.home=" + dir), "idle.client.ClientMain",
                List.of("lend", "--server", address, "--user", user, "--max-jobs",
                        Integer.toString(slots), "--data-dir", dir.toString(), "--work-dir",
                        workRoot.toString(), "--timeout", "120", "--cpu-seconds", "60",
                        "--insecure-plaintext"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("IDLE_PASSWORD", password);
        pb.redirectError(dir.resolve("lender.stderr").toFile());
        return new LenderProcess(name, pb.start());
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until a line containing {@code text} was printed; false at the deadline. */
    public boolean awaitLine(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (lines.stream().noneMatch(l -> l.contains(text))) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    return false;
                }
                lines.wait(Math.max(1, Math.min(left / 1_000_000, 200)));
            }
            return true;
        }
    }

    /** True once it printed that it started {@code jobId} (any attempt). */
    public boolean started(long jobId) {
        synchronized (lines) {
            for (String l : lines) {
                Matcher m = STARTED.matcher(l);
                if (m.find() && Long.parseLong(m.group(1)) == jobId) {
                    return true;
                }
            }
            return false;
        }
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** SIGKILL: no goodbye to the server, the sandboxed job dies with it (die-with-parent). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
