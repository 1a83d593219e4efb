package idle.server;

import static idle.server.UsageCheck.require;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's command line: {@code server} runs it, {@code admin} manages accounts and looks at
 * lenders, jobs and the audit log. Exit codes: 0 done, 1 failed, 64 usage error.
 */
@Command(name = "idle", mixinStandardHelpOptions = true, version = "IDLE server 1.0",
        description = "IDLE: lends the computing power of idle PCs.",
        exitCodeOnInvalidInput = 64, exitCodeOnExecutionException = 1)
public final class ServerMain implements Callable<Integer> {
    static final int USAGE = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ServerLogging.Manager.class.getName());
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the command line with the given output streams and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new ServerMain());
        cl.addSubcommand(new Serve());
        // The admin tree (some thirty commands) is modelled only when it may be the one asked
        // for: picocli's classes are of a class-file version too old for the JVM's start-up
        // cache, so every command it models is paid for in interpreted, freshly verified code at
        // each start, about a fifth of the server's time to its ready line.
        if (args.length == 0 || !"server".equals(args[0])) {
            cl.addSubcommand(new AdminCli.Admin());
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("missing command: server or admin (see --help)");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    @Command(name = "server", mixinStandardHelpOptions = true,
            description = "Runs the IDLE server until Ctrl-C or SIGTERM.",
            exitCodeOnInvalidInput = 64, exitCodeOnExecutionException = 1)
    static final class Serve implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR",
                description = "data directory (default: ~/.idle/server)")
        Path data;

        @CommandLine.Mixin
        DatabaseArgs database;

        @Option(names = "--port", paramLabel = "N", defaultValue = "8001",
                description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
        int port;

        @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
                description = "address to listen on (default: ${DEFAULT-VALUE})")
        String bind;

        @CommandLine.Mixin
        TlsArgs tls;

        @Option(names = "--max-connections-per-address", paramLabel = "N",
                defaultValue = "2048",
                description = "open connections one address may have (default: ${DEFAULT-VALUE})")
        int perAddress;

        @Option(names = "--max-connections", paramLabel = "N", defaultValue = "20000",
                description = "open connections in all (default: ${DEFAULT-VALUE})")
        int total;

        @Option(names = "--keep-outputs", paramLabel = "DAYS", defaultValue = "30",
                description = "days to keep the output and files of an ended job after its last "
                        + "change; 0 keeps them forever (default: ${DEFAULT-VALUE})")
        int keepOutputDays;

        @Option(names = "--max-slots-per-lender", paramLabel = "N", defaultValue = "16",
                description = "most jobs one lender runs at once, whatever it offers; never more "
                        + "than the cores it reports (default: ${DEFAULT-VALUE})")
        int maxSlotsPerLender;

        @CommandLine.Mixin
        DispatchArgs dispatch;

        @CommandLine.Mixin
        ReputationArgs reputation;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            require(spec, perAddress >= 1 && total >= 1, "connection limits must be at least 1");
            require(spec, port >= 0 && port <= 65535, "--port must be 0..65535");
            require(spec, keepOutputDays >= 0, "--keep-outputs must be 0 (forever) or more days");
            require(spec, maxSlotsPerLender >= 1, "--max-slots-per-lender must be at least 1");
            TrustConfig trust = tls.resolve(spec);
            DispatchLimits limits = dispatch.resolve(spec);
            ReputationConfig rules = reputation.resolve(spec);
            Path dir = data != null ? data : ServerConfig.defaultDataDir();
            ServerConfig cfg = ServerConfig.defaults(dir).withPort(port).withBind(bind)
                    .withMaxConnections(perAddress, total).withTrust(trust)
                    .withOutputRetention(java.time.Duration.ofDays(keepOutputDays))
                    .withMaxSlotsPerLender(maxSlotsPerLender).withDispatch(limits)
                    .withReputation(rules);
            if (tls.insecurePlaintext) {
                spec.commandLine().getErr().println("WARNING: --insecure-plaintext: TLS is off. "
                        + "Passwords, scripts and outputs cross the network in clear; use it only "
                        + "on a network you trust.");
                spec.commandLine().getErr().flush();
            }
            IdleServer server;
            try {
                server = IdleServer.start(cfg, database.resolve(spec, dir));
            } catch (UncheckedIOException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "idle-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            PrintWriter out = spec.commandLine().getOut();
            out.println("IDLE server listening on " + server.host() + ":" + server.port());
            out.println(server.tlsFingerprint() != null
                    ? "TLS key fingerprint: " + server.tlsFingerprint()
                    : "TLS: off (--insecure-plaintext)");
            out.flush();
            stopped.await();
            return 0;
        }
    }
}
