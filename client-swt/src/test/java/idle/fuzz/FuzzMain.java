package idle.fuzz;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code ./idle fuzz [--minutes N] [--frames N] [--seed S] [--workers N] [--tls]}: fuzzes the
 * frame decoder and codec, then a real server over real sockets, for N minutes (default 1) or
 * until N frames were sent to the server; then checks that a normal login still works. Exit
 * status 0 when nothing went wrong, 1 with the problems (and the bytes that caused them) on
 * stderr, 64 for a usage error. A crash found here becomes a test in {@code FuzzRegressionTest}.
 */
public final class FuzzMain {
    private FuzzMain() {
    }

    public static void main(String[] args) throws Exception {
        double minutes = 1;
        long frames = Long.MAX_VALUE;
        long seed = System.nanoTime();
        int workers = 16;
        boolean tls = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                    case "--frames" -> frames = Long.parseLong(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--workers" -> workers = Integer.parseInt(args[++i]);
                    case "--tls" -> tls = true;
                    case "-h", "--help" -> {
                        System.out.println("usage: ./idle fuzz [--minutes N] [--frames N] "
                                + "[--seed S] [--workers N] [--tls]");
                        System.out.println("  fuzzes the protocol decoder and a real server for N "
                                + "minutes (default 1), then checks a normal login.");
                        System.out.println("  --tls: talk to the server over TLS (slower; the "
                                + "default fuzzes the protocol in plaintext)");
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (RuntimeException e) {
                System.err.println("idle fuzz: " + (e instanceof ArrayIndexOutOfBoundsException
                        ? a + " needs a value" : e.getMessage()));
                System.exit(64);
            }
        }
        if (minutes <= 0 || workers < 1) {
            System.err.println("idle fuzz: --minutes and --workers must be positive");
            System.exit(64);
        }
        // The server logs every malformed frame at INFO: millions of lines. Keep its console
        // quiet (problems are collected from its WARNINGs all the same).
        System.setProperty("idle.log.quiet", "true");
        System.out.println("idle fuzz: seed " + seed + " (repeat with --seed " + seed + ")");
        Duration time = Duration.ofMillis((long) (minutes * 60_000));
        FuzzRun.Report r = FuzzRun.run(new FuzzRun.Options(seed, Long.MAX_VALUE, frames, time,
                workers, tls, Path.of(System.getProperty("java.io.tmpdir"))), System.out);
        System.exit(r.ok() ? 0 : 1);
    }
}
