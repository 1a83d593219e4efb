package idle.server;

import idle.server.admin.LocalAdmin;
import idle.server.admin.RemoteAdmin;
import idle.server.admin.TerminalText;
import idle.server.net.ServerContext.AdminFailure;
import idle.server.store.DataDirLock;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The server's command line: {@code server} runs it, {@code admin} manages accounts and looks at
 * lenders, jobs and the audit log. Exit codes: 0 done, 1 failed, 64 usage error.
 */
@Command(name = "idle", mixinStandardHelpOptions = true, version = "IDLE server 1.0",
        description = "IDLE: lends the computing power of idle PCs.",
        subcommands = {ServerMain.Serve.class, ServerMain.Admin.class},
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

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

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
            Path dir = data != null ? data : ServerConfig.defaultDataDir();
            ServerConfig cfg = ServerConfig.defaults(dir).withPort(port).withBind(bind)
                    .withMaxConnections(perAddress, total).withTrust(trust())
                    .withOutputRetention(java.time.Duration.ofDays(keepOutputDays))
                    .withMaxSlotsPerLender(maxSlotsPerLender)
                    .withDispatch(DispatchLimits.defaults().withMaxQueuedPerUser(maxQueuedPerUser)
                            .withMaxLendersPerUser(maxLendersPerUser)
                            .withScriptCacheBytes((long) scriptCacheMib << 20));
            if (insecurePlaintext) {
                spec.commandLine().getErr().println("WARNING: --insecure-plaintext: TLS is off. "
                        + "Passwords, scripts and outputs cross the network in clear; use it only "
                        + "on a network you trust.");
                spec.commandLine().getErr().flush();
            }
            IdleServer server;
            try {
                server = IdleServer.start(cfg);
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

    @Command(name = "admin", mixinStandardHelpOptions = true,
            description = {"Administers a server: locally on its data directory while it is "
                    + "stopped (--data), or through a running server as an admin account "
                    + "(--server HOST:PORT --user ADMIN).",
                    "Passwords of new users: IDLE_PASSWORD, else --password-file, else a prompt. "
                    + "The admin's own password (with --server): IDLE_ADMIN_PASSWORD, else "
                    + "--admin-password-file, else a prompt."},
            subcommands = {User.class, Lenders.class, Jobs.class, Audit.class},
            exitCodeOnInvalidInput = 64, exitCodeOnExecutionException = 1)
    static final class Admin implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR",
                description = "data directory of a stopped server (default: ~/.idle/server)")
        Path data;

        @Option(names = "--server", paramLabel = "HOST:PORT",
                description = "a running server to send the command to")
        String server;

        @Option(names = "--user", paramLabel = "ADMIN", description = "admin account (with --server)")
        String user;

        @Option(names = "--admin-password-file", paramLabel = "FILE",
                description = "file holding the admin's password (with --server)")
        Path adminPasswordFile;

        @Option(names = "--insecure-plaintext",
                description = "talk to a server that runs without TLS (with --server)")
        boolean insecurePlaintext;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("missing command: user, lenders, jobs or audit");
            spec.commandLine().usage(spec.commandLine().getErr());
            return USAGE;
        }

        int execute(CommandLine.Model.CommandSpec leaf, List<String> argv) {
            PrintWriter out = leaf.commandLine().getOut();
            PrintWriter err = leaf.commandLine().getErr();
            try {
                String text;
                if (server != null) {
                    if (data != null) {
                        throw new CommandLine.ParameterException(leaf.commandLine(),
                                "use either --data or --server, not both");
                    }
                    int colon = server.lastIndexOf(':');
                    if (colon <= 0 || user == null) {
                        throw new CommandLine.ParameterException(leaf.commandLine(),
                                "--server needs HOST:PORT and --user ADMIN");
                    }
                    int p;
                    try {
                        p = Integer.parseInt(server.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        throw new CommandLine.ParameterException(leaf.commandLine(),
                                "bad port in --server " + server);
                    }
                    char[] pw = password("IDLE_ADMIN_PASSWORD", adminPasswordFile,
                            "Password of " + user + ": ", false);
                    if (insecurePlaintext) {
                        err.println("WARNING: --insecure-plaintext: the admin password and the "
                                + "command cross the network in clear.");
                        err.flush();
                    }
                    text = RemoteAdmin.run(server.substring(0, colon), p, user, pw, argv,
                            insecurePlaintext, err);
                } else {
                    Path dir = data != null ? data : ServerConfig.defaultDataDir();
                    text = LocalAdmin.run(dir, argv);
                }
                out.println(text);
                out.flush();
                return 0;
            } catch (DataDirLock.BusyException e) {
                err.println("error: " + e.getMessage() + ". The server is running: stop it first,"
                        + " or use --server HOST:PORT --user ADMIN to go through it.");
                return 1;
            } catch (AdminFailure e) {
                err.println("error: " + TerminalText.text(e.getMessage()));
                return e.kind() == idle.shared.model.FailureKind.INVALID ? USAGE : 1;
            } catch (RemoteAdmin.RemoteFailure e) {
                err.println("error: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
        }
    }

    /** IDLE_PASSWORD-style env var, else a file, else a prompt without echo. */
    static char[] password(String env, Path file, String prompt, boolean confirm) {
        String v = System.getenv(env);
        if (v != null && !v.isEmpty()) {
            return v.toCharArray();
        }
        if (file != null) {
            try {
                String s = Files.readString(file, StandardCharsets.UTF_8);
                s = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
                s = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                return s.toCharArray();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        Console c = System.console();
        if (c == null) {
            throw new IllegalStateException("no password: set " + env + " or give a password "
                    + "file (there is no terminal to ask on)");
        }
        char[] a = c.readPassword("%s", prompt);
        if (confirm) {
            char[] b = c.readPassword("%s", "Again: ");
            if (!Arrays.equals(a, b)) {
                throw new IllegalStateException("the passwords differ");
            }
        }
        return a;
    }

    @Command(name = "user", mixinStandardHelpOptions = true, description = "User accounts.",
            subcommands = {UserAdd.class, UserList.class, UserDisable.class, UserEnable.class,
                    UserPasswd.class}, exitCodeOnInvalidInput = 64)
    static final class User implements Callable<Integer> {
        @ParentCommand
        Admin admin;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("missing: add, list, disable, enable or passwd");
            return USAGE;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a user.",
            exitCodeOnInvalidInput = 64)
    static final class UserAdd implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--admin", description = "make it an admin account")
        boolean admin;
        @Option(names = "--password-file", paramLabel = "FILE")
        Path passwordFile;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            char[] pw = password("IDLE_PASSWORD", passwordFile, "Password of " + name + ": ", true);
            List<String> argv = new ArrayList<>(List.of("user", "add", name));
            if (admin) {
                argv.add("--admin");
            }
            argv.add("--password");
            argv.add(new String(pw));
            Arrays.fill(pw, '\0');
            return user.admin.execute(spec, argv);
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = "Sets a user's password.", exitCodeOnInvalidInput = 64)
    static final class UserPasswd implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--password-file", paramLabel = "FILE")
        Path passwordFile;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            char[] pw = password("IDLE_PASSWORD", passwordFile, "New password of " + name + ": ",
                    true);
            List<String> argv = new ArrayList<>(List.of("user", "passwd", name, "--password",
                    new String(pw)));
            Arrays.fill(pw, '\0');
            return user.admin.execute(spec, argv);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists users.",
            exitCodeOnInvalidInput = 64)
    static final class UserList implements Callable<Integer> {
        @ParentCommand
        User user;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return user.admin.execute(spec, List.of("user", "list"));
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disables a user (no more logins).", exitCodeOnInvalidInput = 64)
    static final class UserDisable implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(paramLabel = "NAME")
        String name;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return user.admin.execute(spec, List.of("user", "disable", name));
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables a user.",
            exitCodeOnInvalidInput = 64)
    static final class UserEnable implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(paramLabel = "NAME")
        String name;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return user.admin.execute(spec, List.of("user", "enable", name));
        }
    }

    @Command(name = "lenders", mixinStandardHelpOptions = true,
            description = "Online lenders and their load (needs --server).",
            exitCodeOnInvalidInput = 64)
    static final class Lenders implements Callable<Integer> {
        @ParentCommand
        Admin admin;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return admin.execute(spec, List.of("lenders"));
        }
    }

    @Command(name = "jobs", mixinStandardHelpOptions = true,
            description = "All jobs, newest first.", exitCodeOnInvalidInput = 64)
    static final class Jobs implements Callable<Integer> {
        @ParentCommand
        Admin admin;
        @Option(names = "--state", paramLabel = "STATE") String state;
        @Option(names = "--user", paramLabel = "NAME") String user;
        @Option(names = "--name", paramLabel = "TEXT", description = "script name contains")
        String name;
        @Option(names = "--before", paramLabel = "ID") Long before;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50") int limit;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> argv = new ArrayList<>(List.of("jobs", "--limit",
                    Integer.toString(limit)));
            add(argv, "--state", state);
            add(argv, "--user", user);
            add(argv, "--name", name);
            add(argv, "--before", before == null ? null : before.toString());
            return admin.execute(spec, argv);
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = "The audit log (newest rows), or --verify its hash chain.",
            exitCodeOnInvalidInput = 64)
    static final class Audit implements Callable<Integer> {
        @ParentCommand
        Admin admin;
        @Option(names = "--since", paramLabel = "TIME",
                description = "2026-11-28, '2026-11-28 09:00', an ISO instant, or 30m/2h/7d")
        String since;
        @Option(names = "--user", paramLabel = "NAME") String user;
        @Option(names = "--csv") boolean csv;
        @Option(names = "--verify", description = "check the hash chain") boolean verify;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "1000") int limit;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> argv = new ArrayList<>(List.of("audit", "--limit",
                    Integer.toString(limit)));
            add(argv, "--since", since);
            add(argv, "--user", user);
            if (csv) {
                argv.add("--csv");
            }
            if (verify) {
                argv.add("--verify");
            }
            return admin.execute(spec, argv);
        }
    }

    private static void add(List<String> argv, String opt, String v) {
        if (v != null) {
            argv.add(opt);
            argv.add(v);
        }
    }
}
