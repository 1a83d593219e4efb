package idle.client.cli;

import idle.client.net.ServerConnection;
import idle.client.runner.RunnerService;
import idle.shared.message.Result;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code idle jobs [--state S] [--limit N] [--name TEXT]}: the user's history as a table. */
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

    JobsCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        if (limit < 1 || limit > 10_000) {
            throw new CliExit(ExitCodes.USAGE, "--limit must be between 1 and 10000");
        }
        try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
            Result.JobPage page = new RunnerService(c).history(state, name, 0, limit).get();
            print(page.jobs());
            if (page.more()) {
                ctx.out().println("(more jobs exist; raise --limit to see them)");
            }
            return ExitCodes.OK;
        }
    }

    void print(List<JobSummary> jobs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "SCRIPT", "STATE", "EXIT", "SUBMITTED", "DURATION", "LENDER"});
        for (JobSummary j : jobs) {
            String st = j.state().name().toLowerCase(Locale.ROOT)
                    + (j.limit() != null ? " (" + j.limit().label() + ")" : "");
            rows.add(new String[] {Long.toString(j.jobId()), j.scriptName(), st,
                j.exitCode() == null ? "-" : j.exitCode().toString(), JobTexts.time(j.submittedAt()),
                JobTexts.duration(j), j.lender().isEmpty() ? "-" : j.lender()});
        }
        int[] w = new int[7];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean right = i == 0 || i == 3;
                String cell = right ? " ".repeat(w[i] - r[i].length()) + r[i]
                        : r[i] + (i < r.length - 1 ? " ".repeat(w[i] - r[i].length()) : "");
                sb.append(cell);
                if (i < r.length - 1) {
                    sb.append("  ");
                }
            }
            ctx.out().println(sb);
        }
        if (jobs.isEmpty()) {
            ctx.out().println("(no jobs)");
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
                        + "limit_exceeded, lost)");
            }
        }
    }
}
