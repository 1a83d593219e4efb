package idle.client.cli;

import idle.client.runner.FollowedJob;
import idle.client.runner.JobListener;
import idle.client.runner.RunnerService;
import idle.shared.model.JobSummary;
import idle.shared.model.StreamKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * What {@code idle run --each ... --out DIR} (and {@code idle output --sweep}) does with each
 * task that ended: its output files go to {@code DIR/<task index>/} (replacing what an earlier run
 * of that task left there) and its stdout and stderr, interleaved as produced, to
 * {@code DIR/<task index>.out}; with {@code -v} the output is printed too, under a header line.
 * A few tasks are fetched at a time, each on a virtual thread of its own; {@link #awaitAll}
 * waits for them. Thread-safe.
 */
final class SweepResults {
    /** Tasks whose results are fetched at once. */
    static final int PARALLEL = 4;

    private final CliContext ctx;
    private final RunnerService runner;
    private final Path out;
    private final boolean verbose;
    private final SweepProgress progress;
    private final Semaphore room = new Semaphore(PARALLEL);
    private final Phaser pending = new Phaser(1);
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger saved = new AtomicInteger();

    /** @param out where results go, or null for none (then only {@code verbose} prints) */
    SweepResults(CliContext ctx, RunnerService runner, Path out, boolean verbose,
            SweepProgress progress) {
        this.ctx = ctx;
        this.runner = runner;
        this.out = out;
        this.verbose = verbose;
        this.progress = progress;
    }

    /** Task {@code t} ended: fetch (and print) its results in the background. */
    void ended(JobSummary t) {
        if (out == null && !verbose) {
            return;
        }
        pending.register();
        Thread.ofVirtual().name("idle-task-" + t.taskIndex()).start(() -> {
            try {
                room.acquire();
                try {
                    save(t);
                } finally {
                    room.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                pending.arriveAndDeregister();
            }
        });
    }

    /** Waits until every task handed to {@link #ended} so far is saved (or failed to be). */
    void awaitAll() {
        pending.arriveAndAwaitAdvance();
    }

    /** Tasks whose results could not be fetched. */
    int failures() {
        return failures.get();
    }

    /** Tasks whose results were saved under the out directory. */
    int saved() {
        return saved.get();
    }

    private void save(JobSummary t) {
        String idx = Integer.toString(t.taskIndex());
        try {
            byte[] text;
            if (out != null) {
                Path dir = out.resolve(idx);
                Path log = out.resolve(idx + ".out");
                deleteTree(dir);
                runner.saveOutput(t.jobId(), log).get();
                runner.fetchAllFiles(t.jobId(), dir).get();
                saved.incrementAndGet();
                text = verbose ? Files.readAllBytes(log) : null;
            } else {
                text = collect(t.jobId());
            }
            if (text != null) {
                print(t, text);
            }
        } catch (ExecutionException | IOException e) {
            failures.incrementAndGet();
            Throwable why = e instanceof ExecutionException ? e.getCause() : e;
            synchronized (ctx) {
                progress.clear();
                ctx.err().println("idle: could not fetch the results of task " + idx + " (job "
                        + t.jobId() + "): " + RunCommand.message(why));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private byte[] collect(long jobId) throws ExecutionException, InterruptedException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        FollowedJob job = runner.attach(jobId, 0, false, new JobListener() {
            @Override
            public void output(long id, StreamKind stream, byte[] data) {
                b.writeBytes(data);
            }
        });
        job.completion().get();
        return b.toByteArray();
    }

    private void print(JobSummary t, byte[] text) {
        synchronized (ctx) {
            progress.clear();
            ctx.out().println("==> task " + t.taskIndex() + " (job " + t.jobId() + "): "
                    + JobTexts.outcome(t) + " <==");
            ctx.out().write(text, 0, text.length);
            if (text.length > 0 && text[text.length - 1] != '\n') {
                ctx.out().println();
            }
            ctx.out().flush();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
