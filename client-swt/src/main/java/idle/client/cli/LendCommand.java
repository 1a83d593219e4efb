package idle.client.cli;

import idle.client.lender.JobLog;
import idle.client.lender.LenderAgent;
import idle.client.lender.LenderEnvironment;
import idle.client.lender.LenderListener;
import idle.client.lender.LenderSettings;
import idle.client.lender.PythonInterpreter;
import idle.client.lender.Sandbox;
import idle.client.lender.SandboxException;
import idle.client.net.ServerConnection;
import idle.shared.model.PythonEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code idle lend [limits] [--when-idle] [--unsafe-no-sandbox]}: lends this machine until Ctrl-C. */
@Command(name = "lend", mixinStandardHelpOptions = true,
        description = {"Lends this machine's idle computing power: runs other people's python3 "
                + "scripts in a bubblewrap sandbox (no network, none of your files) within the "
                + "limits below, until Ctrl-C.",
            "Prints one line per job served; a log of every job is kept in the data directory."},
        footer = {"", "Exit status: 0 after Ctrl-C; 78 when the machine cannot lend safely (no "
                + "bubblewrap, no python3, an unsafe work directory, a bubblewrap that cannot stop "
                + "new namespaces); 77 login failed; 69 server unreachable; 64 usage error."})
final class LendCommand implements Callable<Integer> {
    enum OnStop { RETURN, FINISH }

    private final CliContext ctx;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Option(names = "--max-jobs", paramLabel = "N", defaultValue = "1",
            description = "Jobs run at once (default: ${DEFAULT-VALUE}).")
    int maxJobs;

    @Option(names = "--cpu-seconds", paramLabel = "S", defaultValue = "600",
            description = "CPU time per job process, seconds (default: ${DEFAULT-VALUE}).")
    int cpuSeconds;

    @Option(names = "--memory-mb", paramLabel = "M", defaultValue = "1024",
            description = "Memory (address space) per job process, MiB (default: ${DEFAULT-VALUE}).")
    int memoryMb;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "3600",
            description = "Wall-clock time per job, seconds (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--max-output-mb", paramLabel = "M", defaultValue = "256",
            description = "Output per job, stdout + stderr + files, MiB (default: ${DEFAULT-VALUE}).")
    int maxOutputMb;

    @Option(names = "--max-processes", paramLabel = "N", defaultValue = "64",
            description = "Processes and threads per job (default: ${DEFAULT-VALUE}).")
    int maxProcesses;

    @Option(names = "--python", paramLabel = "ENV",
            description = "A python3 environment to lend, by its interpreter (repeatable, at most "
                    + "4; the first is the default): /usr/bin/python3, or a virtual or conda "
                    + "environment's, like ~/envs/science/bin/python. One outside /usr is copied "
                    + "(hard links) into the work directory and shown to jobs read-only at "
                    + "/idle/env/N, naming nothing of yours. Default: a real python3 such as "
                    + "/usr/bin/python3. Jobs use what is installed; nothing is ever installed "
                    + "for them.")
    List<Path> pythons = new ArrayList<>();

    @Option(names = "--when-idle",
            description = "Take jobs only while the machine is otherwise idle; pause them while you use it.")
    boolean whenIdle;

    @Option(names = "--on-stop", paramLabel = "WHAT", defaultValue = "return",
            converter = OnStopConverter.class,
            description = "On Ctrl-C: 'return' running jobs to the queue at once, or 'finish' them "
                    + "first (default: ${DEFAULT-VALUE}).")
    OnStop onStop;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The client data directory (default: ~/.idle/client).")
    Path dataDir;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where this lender makes its private directory for the jobs' working "
                    + "directories (default: the system's temporary directory). It must be yours "
                    + "and not writable by others; jobs see its path, so avoid one under your home.")
    Path workDir;

    @Option(names = "--allow-user-namespaces",
            description = "Lend even where nothing stops jobs from making user namespaces (a "
                    + "bubblewrap older than 0.8.0 and no seccomp filter for this machine). Not "
                    + "recommended: update bubblewrap instead.")
    boolean allowUserNamespaces;

    @Option(names = "--unsafe-no-sandbox",
            description = "Run scripts WITHOUT the sandbox: they can read your files and use your "
                    + "network. Only for scripts you trust.")
    boolean unsafe;

    @Option(names = "--install-service",
            description = "Do not lend now: install a systemd user service (idle-lend.service) that "
                    + "lends with these options in the background, also after you log out. The "
                    + "password goes into a file only you can read.")
    boolean installService;

    @Option(names = "--uninstall-service",
            description = "Stop and remove the service that --install-service installed.")
    boolean uninstallService;

    LendCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        if (uninstallService) {
            if (installService) {
                throw new CliExit(ExitCodes.USAGE, "--install-service and --uninstall-service exclude each other");
            }
            return LendService.uninstall(ctx);
        }
        if (installService && unsafe) {
            throw new CliExit(ExitCodes.USAGE, "a background service never lends without the sandbox: "
                    + "drop --unsafe-no-sandbox");
        }
        LenderSettings settings;
        try {
            Path data = dataDir != null ? dataDir : ctx.dataDir();
            settings = LenderSettings.defaults(data).withMaxJobs(maxJobs)
                    .withLimits(cpuSeconds, memoryMb, timeout, maxOutputMb)
                    .withProcessLimits(maxProcesses, LenderSettings.defaults(data).maxOpenFiles())
                    .withPythons(pythons).withWhenIdle(whenIdle, LenderSettings.IdlePolicy.defaults())
                    .withUnsafeNoSandbox(unsafe).withWorkRoot(workDir)
                    .withAllowUserNamespaces(allowUserNamespaces);
        } catch (IllegalArgumentException e) {
            throw new CliExit(ExitCodes.USAGE, e.getMessage());
        }
        Sandbox sandbox;
        try {
            List<PythonInterpreter> pys = new ArrayList<>();
            if (settings.pythons().isEmpty()) {
                pys.add(PythonInterpreter.locate(null));
            }
            for (Path p : settings.pythons()) {
                pys.add(PythonInterpreter.locate(p));
            }
            sandbox = Sandbox.create(settings, pys);
            if (!sandbox.isSafe()) {
                ctx.err().println("""
                        ************************************************************************
                        WARNING: lending WITHOUT a sandbox (--unsafe-no-sandbox).
                        Scripts from strangers will run as YOUR user: they can read and change
                        your files, use your network and leave processes behind. Only the
                        resource limits apply. Stop now (Ctrl-C) unless you trust every runner.
                        ************************************************************************""");
            }
            sandbox.selfTest();
            for (LenderEnvironment e : sandbox.environments()) {
                PythonEnvironment inv = sandbox.probeInventory(e.index());
                ctx.err().println("idle: environment " + (e.index() + 1) + ": " + e.describe()
                        + "; " + inv.modules().size() + " modules, " + inv.distributions().size()
                        + " distributions");
            }
            ctx.err().println("idle: sandbox: " + String.join("; ", sandbox.summary()));
        } catch (SandboxException e) {
            throw new CliExit(ExitCodes.CONFIG, e.getMessage());
        } catch (IOException e) {
            throw new CliExit(ExitCodes.CONFIG, e.getMessage());
        }
        if (installService) {
            return installService();
        }
        ServerConnection c = server.connect(ctx, "idle-lender/1.0", null);
        CompletableFuture<Throwable> stopped = new CompletableFuture<>();
        JobLog log = new JobLog(settings.dataDir());
        LenderAgent agent = new LenderAgent(c, sandbox, log, new LenderListener() {
            @Override
            public void log(String line) {
                ctx.out().println(line);
            }

            @Override
            public void stopped(Throwable error) {
                stopped.complete(error);
            }
        });
        Thread hook = new Thread(() -> {
            try {
                agent.withdraw(onStop == OnStop.RETURN).get(onStop == OnStop.RETURN ? 15
                        : settings.timeoutSeconds() + 30L, TimeUnit.SECONDS);
            } catch (Exception e) {
                ctx.err().println("idle: withdrawing: " + RunCommand.message(e));
            } finally {
                c.close();
            }
        }, "idle-lend-shutdown");
        try {
            agent.start().get();
        } catch (ExecutionException e) {
            c.close();
            ctx.err().println("idle: the server refused to make this machine a lender: "
                    + RunCommand.message(e.getCause()));
            return ExitCodes.FAILURE;
        }
        ctx.err().println("idle: lending; jobs served are logged in " + log.file()
                + ". Press Ctrl-C to stop.");
        Runtime.getRuntime().addShutdownHook(hook);
        Throwable error = stopped.get();
        if (error != null) {
            ctx.err().println("idle: " + RunCommand.message(error));
            return ExitCodes.UNREACHABLE;
        }
        return ExitCodes.OK;
    }

    /** Installs the user service with the options given here: server, user, limits, never the password. */
    private int installService() {
        var address = server.address(ctx);
        String name = server.user(ctx);
        char[] password = server.password(ctx, address, name);
        List<String> args = new ArrayList<>(List.of("--server", address.toString(), "--user", name,
                "--max-jobs", String.valueOf(maxJobs), "--cpu-seconds", String.valueOf(cpuSeconds),
                "--memory-mb", String.valueOf(memoryMb), "--timeout", String.valueOf(timeout),
                "--max-output-mb", String.valueOf(maxOutputMb), "--max-processes", String.valueOf(maxProcesses),
                "--on-stop", onStop.name().toLowerCase(java.util.Locale.ROOT)));
        for (Path p : pythons) {
            addPath(args, "--python", p);
        }
        addPath(args, "--data-dir", dataDir);
        addPath(args, "--work-dir", workDir);
        if (whenIdle) {
            args.add("--when-idle");
        }
        if (server.insecurePlaintext) {
            args.add("--insecure-plaintext");
        }
        return LendService.install(ctx, args, password, onStop == OnStop.FINISH ? timeout + 30L : 30);
    }

    private static void addPath(List<String> args, String option, Path value) {
        if (value != null) {
            args.add(option);
            args.add(value.toAbsolutePath().toString());
        }
    }

    static final class OnStopConverter implements picocli.CommandLine.ITypeConverter<OnStop> {
        @Override
        public OnStop convert(String value) {
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "return" -> OnStop.RETURN;
                case "finish" -> OnStop.FINISH;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "': use 'return' or 'finish'");
            };
        }
    }
}
