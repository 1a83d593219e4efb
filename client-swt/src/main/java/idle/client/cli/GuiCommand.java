package idle.client.cli;

import idle.client.net.ConnectionOptions;
import idle.client.ui.dialogs.TrustServerQuestion;
import idle.client.ui.IdleWorkbench;
import idle.client.ui.service.AgentLending;
import idle.client.ui.service.ServicesSession;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

    @Option(names = "--insecure-plaintext",
            description = "Talk to a server started with --insecure-plaintext: no TLS, so the "
                    + "password and scripts cross the network in clear. For a test server only.")
    boolean insecurePlaintext;

    @Parameters(arity = "0..*", paramLabel = "SCRIPT", description = "python3 scripts to put in the queue, ready to submit.")
    List<Path> scripts;

    GuiCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        String pw = ctx.env().apply("IDLE_PASSWORD");
        char[] password = server != null && user != null && pw != null && !pw.isEmpty() ? pw.toCharArray() : null;
        String idleHome = ctx.env().apply("IDLE_HOME");
        Path dataDir = idleHome != null && !idleHome.isBlank() ? Path.of(idleHome, "client") : ctx.dataDir();
        IdleWorkbench.Options options = IdleWorkbench.Options.of(dataDir).withLogin(server, user, password)
                .withScripts(scripts == null ? List.of() : scripts);
        // The key of a server seen for the first time is shown and asked about (see
        // TrustServerQuestion); the lender's connection then finds it pinned.
        ConnectionOptions base = ConnectionOptions.defaults()
                .withFirstUse(new TrustServerQuestion(org.eclipse.swt.widgets.Display::getDefault));
        if (insecurePlaintext) {
            ctx.err().println("idle gui: WARNING: --insecure-plaintext: no TLS; your password and "
                    + "scripts cross the network in clear");
            base = base.withInsecurePlaintext(true);
        }
        ConnectionOptions lenderBase = base;
        try {
            return IdleWorkbench.run(options, ServicesSession.opener(
                    (address, name, secret) -> new AgentLending(address, name, secret, dataDir,
                            lenderBase), base));
        } catch (org.eclipse.swt.SWTError e) {
            ctx.err().println("idle gui: cannot open a window (" + e.getMessage() + "). Is DISPLAY set? "
                    + "Without a display use the command line: idle run SCRIPT.py");
            return ExitCodes.UNREACHABLE;
        }
    }
}
