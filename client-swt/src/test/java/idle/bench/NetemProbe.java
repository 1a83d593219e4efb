package idle.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The relay figure under 50 ms of added latency each way needs a network namespace joined to this
 * one by a veth pair with {@code tc netem} on both ends (never on {@code lo}: the machine is
 * shared). This checks whether the machine allows it and says why not when it does not.
 */
final class NetemProbe {
    static final String TITLE = "relay of 256 MiB with 50 ms latency each way";
    static final String GOAL = ">= 50 % of raw (same latency)";

    private NetemProbe() {
    }

    static Figure relayWithLatency(BenchContext ctx) {
        String why = probe();
        if (why != null) {
            ctx.log("relay with latency: skipped: " + why);
            return Figure.skipped("relay-latency", TITLE, GOAL, "skipped: " + why);
        }
        return Figure.skipped("relay-latency", TITLE, GOAL, "skipped: netem works here, but the "
                + "namespace-side peer process is not written yet");
    }

    /** Null when netem works; otherwise the reason. */
    static String probe() {
        String ns = "idlebench" + ProcessHandle.current().pid();
        String a = "ib" + (ProcessHandle.current().pid() % 100000) + "a";
        String b = "ib" + (ProcessHandle.current().pid() % 100000) + "b";
        try {
            String r = sh(List.of("ip", "netns", "add", ns));
            if (r != null) {
                return "cannot create a network namespace (ip netns add: " + r + ")";
            }
            r = sh(List.of("ip", "link", "add", a, "type", "veth", "peer", "name", b));
            if (r != null) {
                return "cannot create a veth pair (" + r + ")";
            }
            r = sh(List.of("tc", "qdisc", "add", "dev", a, "root", "netem", "delay", "50ms"));
            if (r != null) {
                return "tc netem is not available in this kernel (tc: " + r + ")";
            }
            return null;
        } finally {
            sh(List.of("ip", "link", "del", a));
            sh(List.of("ip", "netns", "del", ns));
        }
    }

    /** Runs a command; null on success, else its output. */
    static String sh(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : out.strip();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
