package idle.client.cli;

import idle.client.net.RequestException;
import idle.client.net.RequestTooLargeException;
import idle.client.net.ServerConnection;
import idle.client.net.UntrustedText;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobListener;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.client.runner.ScriptNeeds;
import idle.client.runner.SubmissionSize;
import idle.shared.message.Result;
import idle.shared.model.ComparePart;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.ModuleNeed;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.StreamKind;
import idle.shared.model.Verification;
import idle.shared.model.WaitPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code idle run SCRIPT.py... [--input FILE]... [--out DIR] [--detach] [--no-wait] [-- ARGS...]}.
 *
 * <p>A job's stdout and stderr are written to the terminal byte for byte, escape sequences
 * included: it is the runner's own script's output, and a script that colours its output or draws
 * a progress bar should work as it does locally. Everything else printed here that came from the
 * server or a lender (failure and NLA reasons, refusals, pseudonyms) is printable only, with
 * control characters replaced ({@link UntrustedText}): a lender can write a job's failure reason,
 * and must not be able to retitle or clear the runner's terminal with it.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        customSynopsis = {"idle run [--detach] [--no-wait] [--out=DIR] [--input=FILE]... "
                + "[--needs=REQ]... [--no-scan-imports]",
            "         [--server=HOST:PORT] [--user=NAME] [--password-file=FILE] SCRIPT.py... "
                + "[-- ARGS...]",
            "idle run SCRIPT.py (--each FILE | --each-input FILE... | --repeat N) [-v] [--out=DIR] "
                + "[--input=FILE]... [-- ARGS...]",
            "idle run --retry-failed SWEEP [-v] [--out=DIR]"},
        description = {"Runs python3 scripts on lenders' machines, each as its own job.",
            "Streams each job's stdout to stdout and stderr to stderr as it arrives (prefixed with "
                    + "the script name when there are several) and saves the files each job wrote "
                    + "under DIR/<job id>/.",
            "Arguments after -- are passed to every script.",
            "Each script goes only to a lender that has the packages it imports (those not in "
                    + "python's standard library, nor among its input files; imports inside "
                    + "try: blocks are optional) and those named with --needs.",
            "A sweep runs one script as many tasks spread over every free lender (--each, "
                    + "--each-input, --repeat); each task sees IDLE_TASK_INDEX and IDLE_TASK_COUNT "
                    + "in its environment. One progress line shows the tasks queued, running, done "
                    + "and failed; at the end a summary names the failed tasks."},
        footer = {"", "Exit status: 0 all succeeded; the exit code of the first failed script "
                + "(in command-line order; for a sweep, the failed task with the lowest index); "
                + "75 no lender available (NLA: also when no lender has a package a script "
                + "needs, which the message names); 77 login failed; "
                + "69 server unreachable; 65 a job too large (over the 4 MiB a request carries, "
                + "or the server's own limit); 64 usage error."})
final class RunCommand implements Callable<Integer> {
    private final CliContext ctx;
    private final List<String> scriptArgs;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Parameters(paramLabel = "SCRIPT.py", arity = "0..*", description = "The python3 scripts to run.")
    List<Path> scripts = new ArrayList<>();

    @Option(names = "--each", paramLabel = "FILE",
            description = "Sweep: one task per non-empty line of FILE, the line split like a shell "
                    + "would into the script's arguments (lines starting with # are skipped).")
    Path each;

    @Option(names = "--each-input", paramLabel = "FILE", arity = "1..*",
            description = "Sweep: one task per FILE, given to the script as its input file and "
                    + "first argument. Put the script first: idle run a.py --each-input data/*.csv")
    List<Path> eachInput = new ArrayList<>();

    @Option(names = "--repeat", paramLabel = "N",
            description = "Sweep: N tasks, each with its index as the argument.")
    Integer repeat;

    @Option(names = "--retry-failed", paramLabel = "SWEEP",
            description = "Run again the tasks of sweep SWEEP that did not succeed.")
    Long retryFailed;

    @Option(names = {"-v", "--verbose"},
            description = "Sweep: print each task's output as it ends.")
    boolean verbose;

    @Option(names = "--input", paramLabel = "FILE",
            description = "An input file placed next to every script (repeatable).")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR",
            description = "Save the files each job wrote under DIR/<job id>/ (default: .); for a "
                    + "sweep, each task's files under DIR/<task index>/ and its output in "
                    + "DIR/<task index>.out (default: not saved).")
    Path out;

    @Option(names = "--detach", description = "Print the job ids and return at once.")
    boolean detach;

    @Option(names = "--no-wait",
            description = "Ask for NLA instead of queueing when every lender is busy.")
    boolean noWait;

    @Option(names = "--needs", paramLabel = "REQ",
            description = "A python package every script needs, with the versions it accepts "
                    + "(repeatable): numpy, \"numpy>=1.24\", \"pandas>=2,<3\", \"scipy==1.11.*\". "
                    + "A module name (yaml, sklearn) or a distribution name (PyYAML, "
                    + "scikit-learn); operators ==, !=, >=, <=, >, <, ~=. It replaces the need "
                    + "found in the imports for the same name.")
    List<String> needs = new ArrayList<>();

    @Option(names = "--verify", paramLabel = "N",
            description = "Run each job on N lenders of different accounts (2 to 7) and accept "
                    + "the result a strict majority agrees on; 1 runs it once. Default: the "
                    + "server's for you. Not for sweeps.")
    Integer verify;

    @Option(names = "--verify-compare", paramLabel = "PARTS",
            description = "What the replicas must agree on, comma-separated: exit, stdout, "
                    + "stderr, files (default: all). For scripts whose output is not "
                    + "deterministic: --verify-compare exit,files")
    String verifyCompare;

    @Option(names = "--no-scan-imports",
            description = "Do not read the scripts' imports: send only the --needs.")
    boolean noScanImports;

    RunCommand(CliContext ctx, List<String> scriptArgs) {
        this.ctx = ctx;
        this.scriptArgs = List.copyOf(scriptArgs);
    }

    @Override
    public Integer call() throws Exception {
        int modes = (each != null ? 1 : 0) + (eachInput.isEmpty() ? 0 : 1) + (repeat != null ? 1 : 0)
                + (retryFailed != null ? 1 : 0);
        if (modes > 1) {
            throw new CliExit(ExitCodes.USAGE, "use one of --each, --each-input, --repeat and "
                    + "--retry-failed");
        }
        if (modes == 1) {
            if (verify != null || verifyCompare != null) {
                throw new CliExit(ExitCodes.USAGE, "--verify is for single jobs: a sweep's "
                        + "tasks are not verified");
            }
            return sweep();
        }
        if (scripts.isEmpty()) {
            throw new CliExit(ExitCodes.USAGE, "name a script to run (SCRIPT.py)");
        }
        if (out == null) {
            out = Path.of(".");
        }
        List<JobRequest> requests = readRequests();
        try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
            RunnerService runner = new RunnerService(c);
            return detach ? submitDetached(runner, requests) : runAndFollow(runner, requests);
        }
    }

    /** A sweep: {@code --each}, {@code --each-input}, {@code --repeat} or {@code --retry-failed}. */
    private int sweep() throws Exception {
        if (detach) {
            throw new CliExit(ExitCodes.USAGE, "--detach is for single jobs; a sweep runs in the "
                    + "background anyway: follow it later with idle output --sweep ID");
        }
        idle.client.runner.SweepRequest request = null;
        if (retryFailed == null) {
            if (scripts.size() != 1) {
                throw new CliExit(ExitCodes.USAGE, "a sweep runs one script; name exactly one");
            }
            if (repeat != null && (repeat < 1 || repeat > 100_000)) {
                throw new CliExit(ExitCodes.USAGE, "--repeat must be between 1 and 100000");
            }
            var tasks = each != null ? SweepSpec.ofLines(SweepSpec.eachLine(each), scriptArgs)
                    : !eachInput.isEmpty() ? SweepSpec.ofInputs(eachInput, scriptArgs)
                    : SweepSpec.repeat(repeat, scriptArgs);
            request = SweepSpec.request(scripts.get(0), inputs, tasks,
                    noWait ? WaitPolicy.NLA_IF_BUSY : WaitPolicy.QUEUE);
            try {
                idle.client.runner.SweepService.check(request);
            } catch (RequestTooLargeException e) {
                throw new CliExit(ExitCodes.DATA, e.getMessage());
            }
        } else if (!scripts.isEmpty()) {
            throw new CliExit(ExitCodes.USAGE, "--retry-failed takes no script: the sweep has it");
        }
        idle.client.runner.SweepRequest r = request;
        try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
            RunnerService runner = new RunnerService(c);
            var sweeps = new idle.client.runner.SweepService(c);
            SweepFollow follow = new SweepFollow(ctx, runner, sweeps, out, verbose);
            return follow.run(l -> r != null ? sweeps.submit(r, l)
                    : sweeps.retry(retryFailed, l));
        }
    }

    private List<JobRequest> readRequests() {
        List<JobRequest> out = new ArrayList<>();
        List<ModuleNeed> explicit;
        try {
            explicit = ScriptNeeds.parseExplicit(needs);
        } catch (IllegalArgumentException e) {
            throw new CliExit(ExitCodes.USAGE, e.getMessage());
        }
        int replicas = verify == null ? 0 : verify;
        if (verify != null && (verify < 1 || verify > Verification.MAX_REPLICAS)) {
            throw new CliExit(ExitCodes.USAGE, "--verify " + verify + ": a job runs on 1 to "
                    + Verification.MAX_REPLICAS + " lenders");
        }
        Set<ComparePart> compare = ComparePart.ALL;
        if (verifyCompare != null) {
            if (verify != null && verify == 1) {
                throw new CliExit(ExitCodes.USAGE, "--verify-compare needs --verify 2 or more");
            }
            try {
                compare = ComparePart.parse(verifyCompare);
            } catch (IllegalArgumentException e) {
                throw new CliExit(ExitCodes.USAGE, "--verify-compare: " + e.getMessage());
            }
        }
        for (Path p : inputs) {
            if (!Files.isRegularFile(p)) {
                throw new CliExit(ExitCodes.USAGE, "input file not found: " + p);
            }
        }
        for (Path s : scripts) {
            if (!Files.isRegularFile(s)) {
                throw new CliExit(ExitCodes.USAGE, "script not found: " + s);
            }
            try {
                out.add(JobRequest.fromFiles(s, inputs, scriptArgs,
                        noWait ? WaitPolicy.NLA_IF_BUSY : WaitPolicy.QUEUE)
                        .withModuleNeeds(!noScanImports, explicit)
                        .withVerify(replicas, compare));
            } catch (IOException e) {
                throw new CliExit(ExitCodes.USAGE, "cannot read " + s + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new CliExit(ExitCodes.USAGE, e.getMessage());
            }
        }
        for (JobRequest r : out) {
            try {
                SubmissionSize.check(r); // before logging in: nothing is sent when one is too large
            } catch (RequestTooLargeException e) {
                throw new CliExit(ExitCodes.DATA, e.getMessage());
            }
        }
        return out;
    }

    private int submitDetached(RunnerService runner, List<JobRequest> requests) {
        int exit = ExitCodes.OK;
        for (JobRequest r : requests) {
            try {
                Result.JobAccepted a = runner.submitDetached(r).get();
                ctx.out().println(a.jobId() + "\t" + r.scriptName() + "\t"
                        + a.state().name().toLowerCase(java.util.Locale.ROOT)
                        + (a.note().isBlank() ? "" : "\t" + a.note()));
            } catch (ExecutionException | InterruptedException e) {
                exit = firstNonZero(exit, refused(r, e));
            }
        }
        return exit;
    }

    private int runAndFollow(RunnerService runner, List<JobRequest> requests) throws InterruptedException {
        boolean several = requests.size() > 1;
        List<Submitted> submitted = new ArrayList<>();
        int[] codes = new int[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            JobRequest r = requests.get(i);
            Submitted s = new Submitted(runner, i, r.scriptName(), several);
            try {
                s.job = runner.submit(r, s).get();
                submitted.add(s);
            } catch (ExecutionException e) {
                codes[i] = refused(r, e);
            }
        }
        for (Submitted s : submitted) {
            JobSummary end;
            try {
                end = s.job.completion().get();
            } catch (ExecutionException e) {
                s.finishLines();
                ctx.err().println("idle: job " + s.job.jobId() + " (" + s.name + "): "
                        + message(e.getCause()));
                codes[s.index] = ExitCodes.UNREACHABLE;
                continue;
            }
            s.finishLines();
            codes[s.index] = JobTexts.exitCode(end);
            if (codes[s.index] != 0) {
                ctx.err().println("idle: job " + end.jobId() + " (" + s.name + ") "
                        + JobTexts.outcome(end));
            }
            if (end.state() == JobState.UNVERIFIED) {
                printDifferences(runner, end.jobId());
            } else if (end.verification().verified()) {
                ctx.err().println("idle: job " + end.jobId() + " (" + s.name + ") "
                        + VoteTexts.badge(end));
            }
            saveFiles(runner, end.jobId(), s);
        }
        int exit = ExitCodes.OK;
        for (int c : codes) {
            exit = firstNonZero(exit, c);
        }
        return exit;
    }

    /**
     * Saves the job's output files under {@code --out/JOB/}: those fetched while the job ran
     * (announced as their upload began) are kept when they are the job's final ones; the others
     * are fetched now, and files of an earlier attempt that the final one did not write again
     * are removed.
     */
    private void saveFiles(RunnerService runner, long jobId, Submitted s) {
        Path dir = out.resolve(Long.toString(jobId));
        try {
            var detail = runner.details(jobId).get();
            Set<String> finalNames = new HashSet<>();
            for (OutputFileInfo f : detail.files()) {
                finalNames.add(f.name());
                OutputFileInfo early = s.fetchedEarly(f.name());
                if (early == null || !early.sha256().equals(f.sha256())) {
                    runner.fetchFile(jobId, f.name(), RunnerService.safeResolve(dir, f.name()))
                            .get();
                }
            }
            for (String stale : s.early.keySet()) {
                if (!finalNames.contains(stale)) {
                    Files.deleteIfExists(RunnerService.safeResolve(dir, stale));
                }
            }
            if (!finalNames.isEmpty()) {
                ctx.err().println("idle: saved " + finalNames.size() + " file(s) of job " + jobId
                        + " (" + s.name + ") under " + dir);
            }
        } catch (ExecutionException e) {
            ctx.err().println("idle: could not save the files of job " + jobId + ": "
                    + message(e.getCause()));
        } catch (IOException e) {
            ctx.err().println("idle: could not save the files of job " + jobId + ": "
                    + message(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints the results of a vote without a majority side by side. */
    private void printDifferences(RunnerService runner, long jobId) {
        try {
            VoteTexts.printDifferences(ctx.err(), runner.details(jobId).get());
        } catch (ExecutionException e) {
            ctx.err().println("idle: could not read the results of job " + jobId + ": "
                    + message(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reports a refused submission and returns its exit code. */
    private int refused(JobRequest r, Exception e) {
        Throwable cause = e instanceof ExecutionException || e instanceof CompletionException
                ? e.getCause() : e;
        if (cause instanceof RequestException re && re.type() == RequestException.Type.NO_LENDERS) {
            ctx.err().println("idle: " + r.scriptName() + ": no lender available: " + re.reason());
            if (!noScanImports && re.reason().startsWith("no lender offers ")
                    && !r.needs().modules().isEmpty()) {
                ctx.err().println("idle: " + r.scriptName() + " needs " + r.needs().modules()
                        .stream().map(ModuleNeed::toString).collect(Collectors.joining(", "))
                        + " (from its imports and --needs; --no-scan-imports sends only --needs)");
            }
            return ExitCodes.NO_LENDERS;
        }
        if (cause instanceof RequestTooLargeException) {
            ctx.err().println("idle: " + message(cause)); // it names the script
            return ExitCodes.DATA;
        }
        ctx.err().println("idle: " + r.scriptName() + ": not submitted: " + message(cause));
        if (cause instanceof RequestException re && re.kind() == FailureKind.LIMIT) {
            return ExitCodes.DATA;
        }
        if (cause instanceof IOException) {
            return ExitCodes.UNREACHABLE;
        }
        return ExitCodes.FAILURE;
    }

    private static int firstNonZero(int a, int b) {
        return a != 0 ? a : b;
    }

    /** A failure for stderr, printable (it may quote the server or a lender). */
    static String message(Throwable t) {
        return UntrustedText.clean(t == null ? "unknown error"
                : t.getMessage() != null ? t.getMessage() : t.toString());
    }

    /** Streams one job to the terminal. Calls arrive in order on the connection's reader thread. */
    private final class Submitted implements JobListener {
        final int index;
        final String name;
        final LinePrefixer stdout;
        final LinePrefixer stderr;
        final RunnerService runner;
        /** Files fetched as soon as they were announced (cut-through), by name. */
        final Map<String, CompletableFuture<OutputFileInfo>> early = new ConcurrentHashMap<>();
        volatile FollowedJob job;

        Submitted(RunnerService runner, int index, String name, boolean prefixed) {
            this.runner = runner;
            this.index = index;
            this.name = name;
            this.stdout = prefixed ? new LinePrefixer("[" + name + "] ", ctx.out()) : null;
            this.stderr = prefixed ? new LinePrefixer("[" + name + "] ", ctx.err()) : null;
        }

        @Override
        public void output(long jobId, StreamKind stream, byte[] data) {
            LinePrefixer p = stream == StreamKind.STDOUT ? stdout : stderr;
            if (p != null) {
                p.write(data);
                return;
            }
            var target = stream == StreamKind.STDOUT ? ctx.out() : ctx.err();
            target.write(data, 0, data.length);
            target.flush();
        }

        /** Starts the download while the lender still uploads: the file is ready at the end. */
        @Override
        public void fileAnnounced(long jobId, OutputFileInfo file) {
            try {
                Path target = RunnerService.safeResolve(out.resolve(Long.toString(jobId)),
                        file.name());
                early.put(file.name(), runner.fetchFile(jobId, file.name(), target));
            } catch (IOException e) {
                // an unsafe name: saveFiles reports it when it fetches the job's files
            }
        }

        /** The file as fetched early, or null if it was not, or that fetch failed. */
        OutputFileInfo fetchedEarly(String name) throws InterruptedException {
            CompletableFuture<OutputFileInfo> f = early.get(name);
            if (f == null) {
                return null;
            }
            try {
                return f.get();
            } catch (ExecutionException e) {
                return null; // e.g. the attempt was lost mid-upload: fetched again at the end
            }
        }

        private boolean toldVote;

        @Override
        public void stateChanged(JobSummary s) {
            if (!toldVote && s.verification().state() == idle.shared.model.VoteState.PENDING) {
                toldVote = true;
                ctx.err().println(VoteTexts.waiting(s));
            }
        }

        @Override
        public void restarted(JobSummary job) {
            if (job.verification().verified()) {
                return; // a vote's job shows as running once; its replicas' retries are its own
            }
            finishLines();
            ctx.err().println("idle: job " + job.jobId() + " (" + name + ") lost its lender and "
                    + "runs again (attempt " + job.attempts() + "); its output starts over");
        }

        @Override
        public void interrupted(String why) {
            ctx.err().println("idle: job " + (job != null ? job.jobId() : "?") + " (" + name
                    + "): connection interrupted; re-attaching when it is back");
        }

        void finishLines() {
            if (stdout != null) {
                stdout.finish();
                stderr.finish();
            }
        }
    }
}
