package idle.client.cli;

import idle.client.net.ServerConnection;
import idle.client.runner.RunnerService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code idle cancel JOBID...}, {@code idle cancel --sweep ID}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancels queued or running jobs, or what is left of a sweep (--sweep).",
        footer = {"", "Exit status: 0 all cancelled; 1 when one could not be (not found, already ended)."})
final class CancelCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Parameters(paramLabel = "JOBID", arity = "0..*", description = "The jobs to cancel.")
    List<Long> jobIds = new ArrayList<>();

    @Option(names = "--sweep", paramLabel = "SWEEP",
            description = "Cancel every task of this sweep that has not ended.")
    List<Long> sweeps = new ArrayList<>();

    CancelCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        if (jobIds.isEmpty() && sweeps.isEmpty()) {
            throw new CliExit(ExitCodes.USAGE, "name the jobs (JOBID...) or sweeps (--sweep ID)");
        }
        int exit = ExitCodes.OK;
        try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
            RunnerService runner = new RunnerService(c);
            var sweepService = new idle.client.runner.SweepService(c);
            for (long id : sweeps) {
                try {
                    ctx.out().println(sweepService.cancel(id).get());
                } catch (ExecutionException e) {
                    ctx.err().println("idle: sweep " + id + ": " + RunCommand.message(e.getCause()));
                    exit = ExitCodes.FAILURE;
                }
            }
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
