package idle.client.cli;

import idle.client.net.RequestException;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobListener;
import idle.client.runner.RunnerService;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.VoteState;
import idle.shared.model.StreamKind;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code idle output JOBID [--follow] [--files DIR]}, {@code idle output --sweep ID [--out DIR]}. */
@Command(name = "output", mixinStandardHelpOptions = true,
        description = "Prints the whole output of a job (stdout to stdout, stderr to stderr); with "
                + "--follow, also what it prints from now on until it ends.",
        footer = {"", "Exit status: like run for a finished job (0, or its exit code); 1 when the "
                + "job is not found."})
final class OutputCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Parameters(paramLabel = "JOBID", arity = "0..1", description = "The job.")
    Long jobId;

    @Option(names = "--sweep", paramLabel = "SWEEP",
            description = "All results of a sweep: with --out, each task's files under "
                    + "DIR/<task index>/ and its output in DIR/<task index>.out; without, each "
                    + "task's output printed under a header. Waits for tasks still running.")
    Long sweep;

    @Option(names = "--out", paramLabel = "DIR", description = "With --sweep: where to save.")
    Path out;

    @Option(names = "--follow", description = "Keep printing until the job ends.")
    boolean follow;

    @Option(names = "--files", paramLabel = "DIR", description = "Also save the job's files under DIR/<job id>/.")
    Path files;

    OutputCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        if ((sweep == null) == (jobId == null)) {
            throw new CliExit(ExitCodes.USAGE, "name a job (JOBID) or a sweep (--sweep SWEEP)");
        }
        if (sweep != null) {
            try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
                var sweeps = new idle.client.runner.SweepService(c);
                return new SweepFollow(ctx, new RunnerService(c), sweeps, out, out == null)
                        .run(l -> sweeps.attach(sweep, true, l));
            }
        }
        if (out != null) {
            throw new CliExit(ExitCodes.USAGE, "--out is for --sweep; a job's files go with "
                    + "--files DIR");
        }
        long jobId = this.jobId;
        try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
            RunnerService runner = new RunnerService(c);
            FollowedJob job = runner.attach(jobId, 0, follow, new JobListener() {
                @Override
                public void output(long id, StreamKind stream, byte[] data) {
                    var target = stream == StreamKind.STDOUT ? ctx.out() : ctx.err();
                    target.write(data, 0, data.length);
                    target.flush();
                }

                private boolean toldVote;

                @Override
                public void stateChanged(JobSummary s) {
                    if (!toldVote && follow
                            && s.verification().state() == VoteState.PENDING) {
                        toldVote = true;
                        ctx.err().println(VoteTexts.waiting(s));
                    }
                }

                @Override
                public void restarted(JobSummary s) {
                    ctx.err().println("idle: job " + s.jobId() + " runs again (attempt "
                            + s.attempts() + "); its output starts over");
                }
            });
            JobSummary end;
            try {
                end = job.completion().get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                ctx.err().println("idle: job " + jobId + ": " + RunCommand.message(cause));
                return cause instanceof RequestException ? ExitCodes.FAILURE : ExitCodes.UNREACHABLE;
            }
            if (files != null) {
                Path dir = files.resolve(Long.toString(jobId));
                try {
                    List<Path> saved = runner.fetchAllFiles(jobId, dir).get();
                    ctx.err().println("idle: saved " + saved.size() + " file(s) under " + dir);
                } catch (ExecutionException e) {
                    ctx.err().println("idle: could not save the files: " + RunCommand.message(e.getCause()));
                    return ExitCodes.FAILURE;
                }
            }
            if (!end.state().isTerminal()) {
                ctx.err().println("idle: job " + jobId + " is " + JobTexts.outcome(end)
                        + " (use --follow to wait for the rest)");
                return ExitCodes.OK;
            }
            int code = JobTexts.exitCode(end);
            if (code != 0) {
                ctx.err().println("idle: job " + jobId + " " + JobTexts.outcome(end));
            }
            if (end.state() == JobState.UNVERIFIED) {
                try {
                    VoteTexts.printDifferences(ctx.err(), runner.details(jobId).get());
                } catch (ExecutionException e) {
                    ctx.err().println("idle: could not read the results: "
                            + RunCommand.message(e.getCause()));
                }
            }
            return code;
        }
    }
}
