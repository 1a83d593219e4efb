package idle.client.cli;

import idle.client.net.UntrustedText;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code idle} command line: parses, dispatches to the subcommands and maps every failure to
 * the documented exit code, with errors on stderr. Runs in-process for tests through
 * {@link #execute} with a {@link CliContext} of captured streams.
 */
@Command(name = "idle", mixinStandardHelpOptions = true, version = "idle 1.0",
        description = "IDLE: lend the computing power of idle PCs, or use it to run python3 scripts.",
        subcommands = {RunCommand.class, JobsCommand.class, OutputCommand.class,
            CancelCommand.class, LendersCommand.class, LendCommand.class, GuiCommand.class})
public final class Commands implements Runnable {
    /** Exit status for an unexpected internal error (sysexits EX_SOFTWARE). */
    public static final int INTERNAL = 70;

    private final CliContext ctx;

    Commands(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void run() {
        throw new CliExit(ExitCodes.USAGE, "a command is required: run, lend, jobs, output, cancel, "
                + "lenders or gui. Try 'idle --help' for more information.");
    }

    /** Runs one command line and returns its exit status. */
    public static int execute(String[] argv, CliContext ctx) {
        List<String> scriptArgs = List.of();
        String[] args = argv;
        if (argv.length > 0 && argv[0].equals("run")) {
            int dd = Arrays.asList(argv).indexOf("--");
            if (dd > 0) {
                scriptArgs = List.of(argv).subList(dd + 1, argv.length);
                args = Arrays.copyOfRange(argv, 0, dd);
            }
        }
        List<String> forRun = scriptArgs;
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                Object o;
                if (cls == Commands.class) {
                    o = new Commands(ctx);
                } else if (cls == RunCommand.class) {
                    o = new RunCommand(ctx, forRun);
                } else if (cls == JobsCommand.class) {
                    o = new JobsCommand(ctx);
                } else if (cls == OutputCommand.class) {
                    o = new OutputCommand(ctx);
                } else if (cls == CancelCommand.class) {
                    o = new CancelCommand(ctx);
                } else if (cls == LendersCommand.class) {
                    o = new LendersCommand(ctx);
                } else if (cls == LendCommand.class) {
                    o = new LendCommand(ctx);
                } else if (cls == GuiCommand.class) {
                    o = new GuiCommand(ctx);
                } else {
                    return CommandLine.defaultFactory().create(cls);
                }
                return cls.cast(o);
            }
        };
        CommandLine cl = new CommandLine(Commands.class, factory);
        PrintWriter out = new PrintWriter(ctx.out(), true);
        PrintWriter err = new PrintWriter(ctx.err(), true);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            err.println("idle: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
                err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            }
            err.flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CliExit e) {
                if (e.getMessage() != null && !e.getMessage().isEmpty()) {
                    // Messages may quote the server or a lender: printable only.
                    err.println("idle: " + UntrustedText.clean(e.getMessage()));
                }
                err.flush();
                return e.code();
            }
            err.println("idle: internal error: " + UntrustedText.clean(String.valueOf(ex)));
            ex.printStackTrace(err);
            err.flush();
            return INTERNAL;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
