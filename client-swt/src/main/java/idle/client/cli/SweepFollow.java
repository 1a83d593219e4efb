package idle.client.cli;

import idle.client.net.RequestException;
import idle.client.net.RequestTooLargeException;
import idle.client.runner.FollowedSweep;
import idle.client.runner.RunnerService;
import idle.client.runner.SweepListener;
import idle.client.runner.SweepService;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Runs one sweep on the command line from its acceptance to its end: one progress line
 * ({@link SweepProgress}), each task's results saved as it ends ({@link SweepResults}), then a
 * summary ({@code 498 succeeded, 2 failed: tasks 17, 301}) and the exit code: 0 when every task
 * succeeded, else that of the first failed task (lowest index). Used by {@code idle run} for
 * a new sweep and for {@code --retry-failed}, and by {@code idle output --sweep}.
 */
final class SweepFollow {
    /** Task indexes named in the summary before "...". */
    static final int NAMED = 20;

    private final CliContext ctx;
    private final RunnerService runner;
    private final SweepService sweeps;
    private final Path out;
    private final boolean verbose;

    SweepFollow(CliContext ctx, RunnerService runner, SweepService sweeps, Path out,
            boolean verbose) {
        this.ctx = ctx;
        this.runner = runner;
        this.sweeps = sweeps;
        this.out = out;
        this.verbose = verbose;
    }

    /** Starts the sweep with {@code start} (given the listener) and follows it to its end. */
    int run(Function<SweepListener, CompletableFuture<FollowedSweep>> start)
            throws InterruptedException {
        boolean terminal = ctx.console().get() != null;
        SweepProgress progress = new SweepProgress(ctx.err(), terminal, System.nanoTime());
        SweepResults results = new SweepResults(ctx, runner, out, verbose, progress);
        SweepListener l = new SweepListener() {
            @Override
            public void accepted(SweepSummary s) {
                progress.sweep(s.sweepId(), s.open() ? s.taskCount() : s.tasks());
            }

            @Override
            public void taskChanged(JobSummary t) {
                progress.changed(t);
            }

            @Override
            public void taskEnded(JobSummary t) {
                results.ended(t);
            }

            @Override
            public void interrupted(String why) {
                synchronized (ctx) {
                    progress.clear();
                    ctx.err().println("idle: connection interrupted; the sweep goes on and is "
                            + "followed again when it is back");
                }
            }
        };
        FollowedSweep sweep;
        try {
            sweep = start.apply(l).get();
        } catch (ExecutionException e) {
            return refused(e.getCause());
        }
        synchronized (ctx) {
            progress.clear();
            SweepSummary s = sweep.summary();
            ctx.err().println("idle: sweep " + s.sweepId() + ": " + (s.open() ? s.taskCount()
                    : s.tasks()) + " tasks of " + s.scriptName()
                    + (s.retryOf() != 0 ? " (retrying sweep " + s.retryOf() + ")" : ""));
        }
        sweep.uploaded().whenComplete((n, e) -> {
            if (e != null && !(e instanceof IOException) && !(e.getCause() instanceof IOException)) {
                synchronized (ctx) {
                    progress.clear();
                    ctx.err().println("idle: sweep " + sweep.sweepId() + ": tasks refused: "
                            + RunCommand.message(e.getCause() != null ? e.getCause() : e)
                            + "; cancelling the sweep");
                }
                sweeps.cancel(sweep.sweepId());
            }
        });
        Map<Integer, JobSummary> end;
        try {
            end = sweep.completion().get();
        } catch (ExecutionException e) {
            progress.clear();
            ctx.err().println("idle: sweep " + sweep.sweepId() + ": " + RunCommand.message(
                    e.getCause()));
            return ExitCodes.UNREACHABLE;
        }
        results.awaitAll();
        progress.finish();
        return summarize(sweep.sweepId(), end, results);
    }

    /** Prints the summary line and returns the exit code. */
    int summarize(long sweepId, Map<Integer, JobSummary> end, SweepResults results) {
        int ok = 0;
        List<Integer> failed = new ArrayList<>();
        int cancelled = 0;
        int exit = ExitCodes.OK;
        for (Map.Entry<Integer, JobSummary> e : end.entrySet()) { // by index
            JobSummary t = e.getValue();
            if (t.state() == JobState.SUCCEEDED) {
                ok++;
                continue;
            }
            if (t.state() == JobState.CANCELLED) {
                cancelled++;
            }
            failed.add(e.getKey());
            if (exit == ExitCodes.OK) {
                exit = JobTexts.exitCode(t);
            }
        }
        StringBuilder sb = new StringBuilder().append(ok).append(" succeeded");
        if (!failed.isEmpty()) {
            if (failed.size() > cancelled) {
                sb.append(", ").append(failed.size() - cancelled).append(" failed");
            }
            if (cancelled > 0) {
                sb.append(", ").append(cancelled).append(" cancelled");
            }
            sb.append(": task").append(failed.size() == 1 ? " " : "s ");
            for (int i = 0; i < Math.min(NAMED, failed.size()); i++) {
                sb.append(i == 0 ? "" : ", ").append(failed.get(i));
            }
            if (failed.size() > NAMED) {
                sb.append(", ...");
            }
        }
        ctx.err().println(sb);
        if (out != null) {
            ctx.err().println("idle: results of " + results.saved() + " tasks under " + out
                    + " (DIR/<task>/ files, DIR/<task>.out output)");
        } else if (!failed.isEmpty() || !verbose) {
            ctx.err().println("idle: fetch the results with: idle output --sweep " + sweepId
                    + " --out DIR" + (failed.isEmpty() ? "" : "; run the failed tasks again "
                    + "with: idle run --retry-failed " + sweepId));
        }
        if (results.failures() > 0 && exit == ExitCodes.OK) {
            exit = ExitCodes.FAILURE;
        }
        return exit;
    }

    /** Reports a sweep the server did not accept; returns its exit code. */
    int refused(Throwable cause) {
        if (cause instanceof RequestException re && re.type() == RequestException.Type.NO_LENDERS) {
            ctx.err().println("idle: no lender available: " + re.reason());
            return ExitCodes.NO_LENDERS;
        }
        ctx.err().println("idle: sweep not run: " + RunCommand.message(cause));
        if (cause instanceof RequestTooLargeException
                || cause instanceof RequestException re && re.kind() == FailureKind.LIMIT) {
            return ExitCodes.DATA;
        }
        if (cause instanceof IOException) {
            return ExitCodes.UNREACHABLE;
        }
        return ExitCodes.FAILURE;
    }
}
