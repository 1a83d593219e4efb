package idle.client.cli;

import idle.client.net.ServerConnection;
import idle.client.runner.RunnerService;
import idle.shared.message.Result;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code idle jobs [--state S] [--limit N] [--name TEXT] [--sweep ID]}: the user's history as a
 * table, a sweep as one row; with {@code --sweep} that sweep's tasks.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Lists your jobs, newest first: id, script, state, exit code, submitted, "
                + "duration, lender pseudonym.")
final class JobsCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Option(names = "--state", paramLabel = "STATE", converter = StateConverter.class,
            description = "Only jobs in this state: queued, running, succeeded, failed, cancelled, "
                    + "limit_exceeded, lost.")
    JobState state;

    @Option(names = "--name", paramLabel = "TEXT", description = "Only scripts whose name contains TEXT.")
    String name;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "At most N jobs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--sweep", paramLabel = "SWEEP",
            description = "The tasks of this sweep (a sweep is one row otherwise).")
    Long sweep;

    JobsCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        if (limit < 1 || limit > 10_000) {
            throw new CliExit(ExitCodes.USAGE, "--limit must be between 1 and 10000");
        }
        try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
            var sweeps = new idle.client.runner.SweepService(c);
            if (sweep != null) {
                List<JobSummary> tasks = sweeps.allTasks(sweep).get();
                tasks = tasks.stream().filter(t -> state == null || t.state() == state)
                        .limit(limit).toList();
                print(tasks, List.of());
                return ExitCodes.OK;
            }
            Result.JobPage page = new RunnerService(c).history(state, name, 0, limit).get();
            List<SweepSummary> rows = state != null ? List.of()
                    : sweeps.sweeps(0, limit).get().sweeps().stream()
                            .filter(s -> name == null || s.scriptName().toLowerCase(Locale.ROOT)
                                    .contains(name.toLowerCase(Locale.ROOT))).toList();
            print(page.jobs(), rows);
            if (page.more()) {
                ctx.out().println("(more jobs exist; raise --limit to see them)");
            }
            return ExitCodes.OK;
        }
    }

    /** The jobs and sweeps as one table, newest first (a sweep is one row). */
    void print(List<JobSummary> jobs, List<SweepSummary> sweeps) {
        List<Object> all = new ArrayList<>(jobs);
        all.addAll(sweeps);
        all.sort(java.util.Comparator.comparingLong((Object o) -> o instanceof JobSummary j
                ? j.submittedAt() : ((SweepSummary) o).submittedAt()).reversed());
        all = all.subList(0, Math.min(all.size(), limit));
        boolean tasks = sweep != null;
        List<String[]> rows = new ArrayList<>();
        rows.add(tasks ? new String[] {"ID", "TASK", "SCRIPT", "STATE", "EXIT", "SUBMITTED",
            "DURATION", "LENDER"} : new String[] {"ID", "SCRIPT", "STATE", "EXIT", "SUBMITTED",
                "DURATION", "LENDER", "VOTE"});
        for (Object o : all) {
            if (o instanceof JobSummary j) {
                String st = j.state().name().toLowerCase(Locale.ROOT)
                        + (j.limit() != null ? " (" + j.limit().label() + ")" : "");
                List<String> r = new ArrayList<>(List.of(Long.toString(j.jobId()),
                        j.scriptName(), st, j.exitCode() == null ? "-" : j.exitCode().toString(),
                        JobTexts.time(j.submittedAt()), JobTexts.duration(j),
                        j.lender().isEmpty() ? "-" : j.lender()));
                if (tasks) {
                    r.add(1, Integer.toString(j.taskIndex()));
                } else {
                    r.add(j.verification().label());
                }
                rows.add(r.toArray(String[]::new));
            } else {
                SweepSummary s = (SweepSummary) o;
                rows.add(new String[] {"sweep " + s.sweepId(), s.scriptName(), sweepState(s), "-",
                    JobTexts.time(s.submittedAt()), s.finishedAt() == 0 ? "-"
                            : JobTexts.duration(new JobSummary(0, "", idle.shared.model.JobState
                                    .SUCCEEDED, 0, null, "", "", 1, 0, s.submittedAt(),
                                    s.finishedAt(), 0)),
                    s.tasks() + " tasks", "-"});
            }
        }
        table(rows, tasks ? Set.of(0, 1, 4) : Set.of(0, 3));
        if (all.isEmpty()) {
            ctx.out().println(tasks ? "(no tasks)" : "(no jobs)");
        }
    }

    /** "running: 3 queued, 2 running, 14 done, 1 failed" or "done: 19 ok, 1 failed". */
    static String sweepState(SweepSummary s) {
        String counts = s.succeeded() + " ok" + (s.failed() > 0 ? ", " + s.failed() + " failed"
                : "") + (s.cancelled() > 0 ? ", " + s.cancelled() + " cancelled" : "");
        if (s.isFinished()) {
            return "done: " + counts;
        }
        return (s.open() ? "sending" : "running") + ": " + s.queued() + " queued, " + s.running()
                + " running, " + counts;
    }

    void print(List<JobSummary> jobs) {
        print(jobs, List.of());
    }

    private void table(List<String[]> rows, Set<Integer> rightAligned) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean right = rightAligned.contains(i);
                String cell = right ? " ".repeat(w[i] - r[i].length()) + r[i]
                        : r[i] + (i < r.length - 1 ? " ".repeat(w[i] - r[i].length()) : "");
                sb.append(cell);
                if (i < r.length - 1) {
                    sb.append("  ");
                }
            }
            ctx.out().println(sb);
        }
    }

    /** Accepts states in any case, with - or _. */
    static final class StateConverter implements picocli.CommandLine.ITypeConverter<JobState> {
        @Override
        public JobState convert(String value) {
            try {
                return JobState.valueOf(value.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                        + "' is not a job state (queued, running, succeeded, failed, cancelled, "
                        + "limit_exceeded, lost, unverified)");
            }
        }
    }
}
