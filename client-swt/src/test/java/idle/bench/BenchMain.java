package idle.bench;

import idle.db.testing.PostgresCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code ./idle bench [--quick] [--json FILE] [--only a,b] [--keep]}: runs the benchmark suite
 * against the physical limits of this machine and prints one row per figure: the figure, the
 * baseline measured in the same run, their ratio, the goal and the verdict; writes the same as
 * JSON ({@code bench-results.json} in the current directory unless {@code --json FILE}).
 *
 * <p>Figures: remote-run (overhead of a trivial job through server and lender against the same
 * sandbox locally), throughput (coordinator, durable), throughput-postgres (the same on a
 * PostgreSQL server the bench starts, fsync and synchronous commit on), relay (256 MiB output
 * file, TLS and plaintext, the server's CPU per GiB), scale (100,000 lenders, 10,000 over TLS),
 * server-start (1,000,000 jobs in history); the full run adds the fault-injection runs at a
 * larger size ({@code faults}).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean keep = false;
        Path json = Path.of("bench-results.json");
        Set<String> only = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--keep" -> keep = true;
                case "--json" -> json = Path.of(args[++i]);
                case "--only" -> only.addAll(List.of(args[++i].split(",")));
                case "-h", "--help" -> {
                    System.out.println("Usage: ./idle bench [--quick] [--json FILE] [--only "
                            + "remote-run,throughput,throughput-postgres,sweeps,relay,scale,server-start,faults] [--keep]");
                    return;
                }
                default -> {
                    System.err.println("bench: unknown option " + args[i]);
                    System.exit(64);
                }
            }
        }
        Path work = idle.fault.ChildJava.root().resolve("target/bench");
        deleteTree(work);
        Files.createDirectories(work);
        BenchContext ctx = new BenchContext(quick, work);
        long t0 = System.nanoTime();
        String load = loadAverage();
        List<Figure> figures = new ArrayList<>();
        ctx.log((quick ? "quick" : "full") + " run on " + Runtime.getRuntime().availableProcessors()
                + " cores, load average " + load + "; scratch " + work);

        if (want(only, "remote-run")) {
            figures.addAll(guard("remote-run", "remote-run overhead", "median ratio <= 1.25",
                    () -> new RemoteRunBench(ctx).run()));
        }
        ThroughputBench tp = new ThroughputBench(ctx);
        if (want(only, "throughput")) {
            figures.addAll(guard("throughput", "coordinator throughput", ">= 5,000 jobs/s",
                    tp::run));
        }
        if (want(only, "throughput-postgres")) {
            figures.addAll(guard("throughput-postgres", "coordinator throughput on PostgreSQL",
                    "beside Derby", () -> {
                        try (PostgresCluster pg = PostgresCluster.start(
                                PostgresCluster.Options.durableDefaults())) {
                            return new ThroughputBench(ctx, pg).run();
                        }
                    }));
        }
        if (want(only, "sweeps")) {
            figures.addAll(guard("sweeps", "sweep of 10,000 tasks", "< 2,000 ms",
                    () -> new SweepBench(ctx).run()));
        }
        if (want(only, "relay")) {
            figures.addAll(guard("relay", "relay throughput 256 MiB", ">= 25 % of raw (TLS)",
                    () -> new RelayBench(ctx).run()));
        }
        if (want(only, "scale")) {
            figures.addAll(guard("scale", "100,000 lenders", "<= 2,048 MiB, p99 < 100 ms",
                    () -> new ScaleBench(ctx).run()));
        }
        if (want(only, "server-start")) {
            figures.addAll(guard("server-start", "server start", "< 2,000 ms",
                    () -> new StartBench(ctx).run(tp.dataDir, tp.jobsStored)));
        }
        if (!quick && want(only, "faults") || only.contains("faults")) {
            figures.addAll(guard("faults", "fault injection (large)", "no job lost or repeated",
                    () -> new FaultBench(ctx).run()));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String table = table(figures);
        System.out.println();
        System.out.println("IDLE benchmark, " + (quick ? "--quick" : "full") + " run, "
                + Instant.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, load average at start " + load + ", at end " + loadAverage()
                + ", " + String.format(Locale.ROOT, "%.0f s", secs));
        System.out.println(table);
        writeJson(json, figures, quick, secs, load);
        System.out.println("results: " + json.toAbsolutePath());
        if (!keep) {
            deleteTree(work);
        }
        System.exit(0);
    }

    private static boolean want(Set<String> only, String id) {
        return only.isEmpty() || only.contains(id);
    }

    interface Body {
        List<Figure> run() throws Exception;
    }

    private static List<Figure> guard(String id, String title, String goal, Body b) {
        try {
            List<Figure> f = b.run();
            for (Figure x : f) {
                System.err.println("bench: " + x.id() + ": " + Figure.fmt(x.value()) + " "
                        + x.unit() + " (baseline " + Figure.fmt(x.baseline()) + ", " + x.ratio()
                        + ") " + x.verdict() + " - " + x.notes());
            }
            return f;
        } catch (Throwable e) {
            System.err.println("bench: " + id + " failed:");
            e.printStackTrace();
            return List.of(Figure.failed(id, title, goal, e));
        }
    }

    static String table(List<Figure> figures) {
        String[] head = {"figure", "value", "baseline (same run)", "ratio", "goal", "verdict"};
        List<String[]> rows = new ArrayList<>();
        rows.add(head);
        for (Figure f : figures) {
            rows.add(new String[] {f.title(),
                    Double.isNaN(f.value()) ? "-" : Figure.fmt(f.value()) + " " + f.unit(),
                    Double.isNaN(f.baseline()) ? "-" : Figure.fmt(f.baseline()) + " "
                            + f.baselineWhat(),
                    f.ratio(), f.goal(), f.verdict()});
        }
        int[] w = new int[head.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            b.append('|');
            for (int i = 0; i < r.length; i++) {
                b.append(' ').append(pad(r[i], w[i])).append(" |");
            }
            b.append('\n');
            if (k == 0) {
                b.append('|');
                for (int i = 0; i < r.length; i++) {
                    b.append('-').append("-".repeat(w[i])).append("-|");
                }
                b.append('\n');
            }
        }
        b.append('\n');
        for (Figure f : figures) {
            b.append("- ").append(f.title()).append(": ").append(f.notes()).append('\n');
        }
        return b.toString();
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static void writeJson(Path file, List<Figure> figures, boolean quick, double secs,
            String load) throws IOException {
        StringBuilder b = new StringBuilder("{\n  \"mode\": ").append(Figure.q(quick ? "quick"
                : "full")).append(",\n  \"time\": ").append(Figure.q(Instant.now().toString()))
                .append(",\n  \"host\": ").append(Figure.q(InetAddress.getLocalHost()
                        .getHostName())).append(",\n  \"cores\": ")
                .append(Runtime.getRuntime().availableProcessors()).append(",\n  \"loadAverage\": ")
                .append(Figure.q(load)).append(",\n  \"seconds\": ").append(Figure.num(secs))
                .append(",\n  \"figures\": [\n");
        for (int i = 0; i < figures.size(); i++) {
            b.append("    ").append(figures.get(i).json()).append(i + 1 < figures.size() ? ",\n"
                    : "\n");
        }
        b.append("  ]\n}\n");
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Files.writeString(abs, b.toString());
    }

    static String loadAverage() {
        try {
            String[] s = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return s[0] + " " + s[1] + " " + s[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("bench: could not delete " + p + ": " + e.getMessage());
        }
    }
}
