package idle.client.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code idle gui}: placeholder until the workbench (issue 5) replaces this class with the real
 * command. It only says so and exits 69 (unavailable).
 */
@Command(name = "gui", mixinStandardHelpOptions = true,
        description = "Opens the IDLE workbench (not yet available in this build).")
final class GuiCommand implements Callable<Integer> {
    private final CliContext ctx;

    GuiCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        ctx.err().println("idle: the workbench (gui) is not yet available in this build");
        return ExitCodes.UNREACHABLE;
    }
}
