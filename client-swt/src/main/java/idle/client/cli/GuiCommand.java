package idle.client.cli;

import idle.client.ui.IdleWorkbench;
import idle.client.ui.service.AgentLending;
import idle.client.ui.service.ServicesSession;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idle gui}: opens the IDLE workbench (package {@code idle.client.ui}). With
 * {@code IDLE_PASSWORD} set and both {@code --server} and {@code --user} given it logs in without
 * asking; otherwise the login dialog asks (prefilled with these values or the remembered ones).
 */
@Command(name = "gui", mixinStandardHelpOptions = true,
        description = "Opens the IDLE workbench: queue scripts, watch their output, lend this computer.")
final class GuiCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "The IDLE server to log in to.")
    String server;

    @Option(names = "--user", paramLabel = "NAME", description = "Your user name on the server.")
    String user;

    GuiCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        String pw = ctx.env().apply("IDLE_PASSWORD");
        char[] password = server != null && user != null && pw != null && !pw.isEmpty() ? pw.toCharArray() : null;
        IdleWorkbench.Options options = IdleWorkbench.Options.of(ctx.dataDir()).withLogin(server, user, password);
        try {
            return IdleWorkbench.run(options, ServicesSession.opener(
                    (address, name, secret) -> new AgentLending(address, name, secret, ctx.dataDir())));
        } catch (org.eclipse.swt.SWTError e) {
            ctx.err().println("idle gui: cannot open a window (" + e.getMessage() + "). Is DISPLAY set? "
                    + "Without a display use the command line: idle run SCRIPT.py");
            return ExitCodes.UNREACHABLE;
        }
    }
}
