package idle.server;

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
        subcommands = {ServerMain.Serve.class, AdminCli.Admin.class},
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

        @Option(names = "--tls-cert", paramLabel = "FILE",
                description = "PEM certificate chain to use (with --tls-key); default: a key "
                        + "made on first start in DIR/tls")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "FILE",
                description = "PEM PKCS#8 private key of --tls-cert")
        Path tlsKey;

        @Option(names = "--tls-keystore", paramLabel = "FILE",
                description = "PKCS#12 keystore holding the key and certificate to use")
        Path tlsKeystore;

        @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
                description = "file whose first line is the --tls-keystore password")
        Path tlsKeystorePassword;

        @Option(names = "--insecure-plaintext",
                description = "no TLS: passwords, scripts and outputs cross the network in clear "
                        + "(clients must say --insecure-plaintext too)")
        boolean insecurePlaintext;

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

        @Option(names = "--max-queued-per-user", paramLabel = "N", defaultValue = "10000",
                description = "jobs one account may have queued or running; more are refused "
                        + "(default: ${DEFAULT-VALUE})")
        int maxQueuedPerUser;

        @Option(names = "--max-lenders-per-user", paramLabel = "N", defaultValue = "4",
                description = "lender connections one account may have at once (each gets "
                        + "--max-slots-per-lender at most) (default: ${DEFAULT-VALUE})")
        int maxLendersPerUser;

        @Option(names = "--script-cache", paramLabel = "MIB", defaultValue = "64",
                description = "MiB of queued jobs' scripts kept in memory; the rest wait in the "
                        + "database (default: ${DEFAULT-VALUE})")
        int scriptCacheMib;

        @Option(names = "--verify-default", paramLabel = "N", defaultValue = "1",
                description = "replicas of a job whose runner and user ask for no number: it "
                        + "runs on N lenders of different accounts and a majority must agree; "
                        + "1 runs it once (default: ${DEFAULT-VALUE})")
        int verifyDefault;

        @Option(names = "--verify-max-replicas", paramLabel = "N", defaultValue = "0",
                description = "most replicas of one verified job when results disagree, 2 to 7; "
                        + "0: the replicas asked for + 2 (default: ${DEFAULT-VALUE})")
        int verifyMaxReplicas;

        @Option(names = "--strike-limit", paramLabel = "N", defaultValue = "3",
                description = "strikes (outvoted results, failed spot checks) at which a lender "
                        + "account only gets replicas of verified jobs; one fades per 50 agreed "
                        + "results in a row (default: ${DEFAULT-VALUE})")
        int strikeLimit;

        @Option(names = "--trust-after", paramLabel = "N", defaultValue = "20",
                description = "agreed results in a row after which a lender account may run "
                        + "defaulted verified jobs alone, spot-checked; 0 trusts every account (default: "
                        + "${DEFAULT-VALUE})")
        int trustAfter;

        @Option(names = "--spot-check", paramLabel = "RATE", defaultValue = "0.05",
                description = "share 0..1 of the jobs a trusted lender runs alone in place of "
                        + "a default verification that run on a second account all the same to "
                        + "check it; 0 checks none (default: ${DEFAULT-VALUE})")
        double spotCheck;

        @Option(names = "--credit-priority", paramLabel = "W", defaultValue = "1.0",
                description = "lend-to-earn: a runner's turns in the fair share are in proportion "
                        + "to 1 + W * (its lending credit in CPU hours, at most 10); 0 gives "
                        + "every runner equal turns (default: ${DEFAULT-VALUE})")
        double creditPriority;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        ReputationConfig reputation() {
            require(strikeLimit >= 1, "--strike-limit must be at least 1");
            require(trustAfter >= 0, "--trust-after must be 0 or more");
            require(spotCheck >= 0 && spotCheck <= 1,
                    "--spot-check must be a rate from 0 to 1, e.g. 0.05");
            require(creditPriority >= 0
                    && creditPriority <= ReputationConfig.MAX_CREDIT_PRIORITY,
                    "--credit-priority must be 0.." + (int) ReputationConfig.MAX_CREDIT_PRIORITY);
            return new ReputationConfig(strikeLimit, trustAfter, spotCheck, creditPriority);
        }

        /** A usage error (exit 64) saying {@code message} unless {@code ok}. */
        private void require(boolean ok, String message) {
            if (!ok) {
                throw new CommandLine.ParameterException(spec.commandLine(), message);
            }
        }

        TrustConfig trust() {
            TrustConfig t = TrustConfig.defaults();
            if (insecurePlaintext) {
                if (tlsCert != null || tlsKey != null || tlsKeystore != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--insecure-plaintext cannot go with --tls-cert, --tls-key or "
                                    + "--tls-keystore");
                }
                t = t.withInsecurePlaintext();
            } else if (tlsKeystore != null) {
                if (tlsCert != null || tlsKey != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "use either --tls-keystore or --tls-cert with --tls-key");
                }
                t = t.withKeystore(tlsKeystore, tlsKeystorePassword);
            } else if (tlsCert != null || tlsKey != null) {
                if (tlsCert == null || tlsKey == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--tls-cert and --tls-key go together");
                }
                t = t.withPem(tlsCert, tlsKey);
            }
            return t;
        }

        @Override
        public Integer call() throws Exception {
            if (perAddress < 1 || total < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "connection limits must be at least 1");
            }
            if (port < 0 || port > 65535) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--port must be 0..65535");
            }
            if (keepOutputDays < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--keep-outputs must be 0 (forever) or more days");
            }
            if (maxSlotsPerLender < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--max-slots-per-lender must be at least 1");
            }
            if (maxQueuedPerUser < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--max-queued-per-user must be at least 1");
            }
            if (maxLendersPerUser < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--max-lenders-per-user must be at least 1");
            }
            if (scriptCacheMib < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--script-cache must be 0 or more MiB");
            }
            VerifyPolicy verify;
            try {
                verify = new VerifyPolicy(verifyDefault, verifyMaxReplicas);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            Path dir = data != null ? data : ServerConfig.defaultDataDir();
            ServerConfig cfg = ServerConfig.defaults(dir).withPort(port).withBind(bind)
                    .withMaxConnections(perAddress, total).withTrust(trust())
                    .withOutputRetention(java.time.Duration.ofDays(keepOutputDays))
                    .withMaxSlotsPerLender(maxSlotsPerLender)
                    .withDispatch(DispatchLimits.defaults().withMaxQueuedPerUser(maxQueuedPerUser)
                            .withMaxLendersPerUser(maxLendersPerUser)
                            .withScriptCacheBytes((long) scriptCacheMib << 20)
                            .withVerify(verify))
                    .withReputation(reputation());
            if (insecurePlaintext) {
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
