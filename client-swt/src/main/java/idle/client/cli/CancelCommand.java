package idle.client.cli;

import idle.client.net.ServerConnection;
import idle.client.runner.RunnerService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code idle cancel JOBID...}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancels queued or running jobs.",
        footer = {"", "Exit status: 0 all cancelled; 1 when one could not be (not found, already ended)."})
final class CancelCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Parameters(paramLabel = "JOBID", arity = "1..*", description = "The jobs to cancel.")
    List<Long> jobIds = new ArrayList<>();

    CancelCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        int exit = ExitCodes.OK;
        try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
            RunnerService runner = new RunnerService(c);
            for (long id : jobIds) {
                try {
                    runner.cancel(id).get();
                    ctx.out().println("cancelled job " + id);
                } catch (ExecutionException e) {
                    ctx.err().println("idle: job " + id + ": " + RunCommand.message(e.getCause()));
                    exit = ExitCodes.FAILURE;
                }
            }
        }
        return exit;
    }
}
