package idle.client.runner;

import idle.client.net.ConnectionLostException;
import idle.client.net.Exchange;
import idle.client.net.ExchangeHandler;
import idle.client.net.RequestException;
import idle.client.net.RequestTooLargeException;
import idle.client.net.ServerConnection;
import idle.client.net.UntrustedText;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobDetail;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.PoolStatus;
import idle.shared.protocol.FileNames;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What a runner does with the server: submit scripts, follow their output and state, fetch their
 * output files (checked by SHA-256), list history, look at details, cancel, see the pool.
 *
 * <p>Never blocks the caller: every operation returns a {@link CompletableFuture}, which completes
 * on a connection thread (chain only quick work on it, or use the {@code *Async} variants). Job
 * listeners are called on the connection's reader thread. After a network drop the service
 * re-attaches every job it follows from the next chunk it has not seen, so output arrives once and
 * in order. The parts: {@link JobFollowing} keeps followed jobs across reconnects, each
 * {@link FollowedJob} owns its own state transitions, {@link FileReceiver} checks a fetched file,
 * {@link SubmissionSize} checks a job fits in one request before it is sent.
 *
 * <p>Texts for a person that the server relays (reasons, script names, pseudonyms) are handed
 * out printable ({@link UntrustedText}): a lender writes a job's failure reason, and a hostile one
 * must not reach the runner's terminal with escape sequences. Output file names stay exact (they
 * name the files to fetch); a job's output bytes are delivered as the script wrote them.
 */
public final class RunnerService {
    private final ServerConnection connection;
    private final JobFollowing following;

    public RunnerService(ServerConnection connection) {
        this.connection = Objects.requireNonNull(connection);
        this.following = new JobFollowing(connection);
    }

    public ServerConnection connection() {
        return connection;
    }

    /**
     * Submits one job and follows it. Completes once the server stored the job (SCF) with the
     * followed job; fails with {@link RequestTooLargeException} (nothing sent: the job does not fit
     * in one request, see {@link SubmissionSize}), {@link RequestException} of type
     * {@code NO_LENDERS} (the reason says why) or {@code FAILED} (e.g. the server's size limit),
     * or with a {@link ConnectionLostException}.
     *
     * @param listener hears its output and state from the moment it is accepted; may be null
     */
    public CompletableFuture<FollowedJob> submit(JobRequest request, JobListener listener) {
        CompletableFuture<FollowedJob> accepted = new CompletableFuture<>();
        try {
            SubmissionSize.check(request);
        } catch (RequestTooLargeException e) {
            accepted.completeExceptionally(e);
            return accepted;
        }
        Message.RunScript rcs = request.toMessage();
        ExchangeHandler submitHandler = new ExchangeHandler() {
            private FollowedJob job;
            private ExchangeHandler follow;

            @Override
            public void onMessage(Exchange ex, Message m) {
                if (job == null) {
                    try {
                        Result r = ServerConnection.expectSuccess(m);
                        if (!(r instanceof Result.JobAccepted a)) {
                            throw new RequestException(RequestException.Type.ILLEGAL, null,
                                    "unexpected answer to a submission: " + r);
                        }
                        job = new FollowedJob(following, a.jobId(), listener, true, 0);
                        follow = job.handler(false);
                        following.track(job);
                        job.attached(ex);
                        accepted.complete(job);
                    } catch (RequestException e) {
                        ex.close();
                        accepted.completeExceptionally(e);
                    }
                    return;
                }
                follow.onMessage(ex, m);
            }

            @Override
            public void onConnectionLost(Exchange ex, IOException cause) {
                if (job == null) {
                    accepted.completeExceptionally(cause);
                } else {
                    follow.onConnectionLost(ex, cause);
                }
            }
        };
        try {
            connection.open(rcs, submitHandler);
        } catch (IOException e) {
            accepted.completeExceptionally(e);
        }
        return accepted;
    }

    /**
     * Submits one job without following it: completes with the server's acceptance (job id,
     * state, note). Output and events the server pushes for it are acknowledged and dropped.
     */
    public CompletableFuture<Result.JobAccepted> submitDetached(JobRequest request) {
        try {
            SubmissionSize.check(request);
        } catch (RequestTooLargeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connection.call(request.toMessage()).thenApply(r -> {
            if (r instanceof Result.JobAccepted a) {
                return new Result.JobAccepted(a.jobId(), a.state(), UntrustedText.clean(a.note()));
            }
            throw new IllegalStateException("unexpected answer to a submission: " + r);
        });
    }

    /**
     * Replays a job's output from chunk {@code fromSeq} and, with {@code live}, keeps following it
     * until it ends ({@code ATT}). Completes at once with the handle; the handle's
     * {@link FollowedJob#completion()} fails with {@link RequestException} ({@code NOT_FOUND})
     * when the job is not one of the user's.
     */
    public FollowedJob attach(long jobId, long fromSeq, boolean live, JobListener listener) {
        FollowedJob job = new FollowedJob(following, jobId, listener, live, fromSeq);
        following.attach(job);
        return job;
    }

    /**
     * Writes the whole stored output of a job (stdout and stderr interleaved as they were
     * produced) to {@code target}, which appears only when complete. Completes with the job's
     * state at the end of the replay.
     */
    public CompletableFuture<JobSummary> saveOutput(long jobId, Path target) {
        Path dir = target.toAbsolutePath().getParent();
        Path part;
        OutputStream out;
        try {
            Files.createDirectories(dir);
            part = Files.createTempFile(dir, "." + target.getFileName(), ".part");
            out = Files.newOutputStream(part);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        IOException[] failure = new IOException[1];
        FollowedJob job = attach(jobId, 0, false, new JobListener() {
            @Override
            public void output(long id, idle.shared.model.StreamKind stream, byte[] data) {
                if (failure[0] == null) {
                    try {
                        out.write(data);
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                }
            }
        });
        return job.completion().handle((summary, error) -> {
            try {
                out.close();
                if (error == null && failure[0] == null) {
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                    return summary;
                }
                Files.deleteIfExists(part);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
            Throwable why = error != null ? error : failure[0];
            throw why instanceof java.util.concurrent.CompletionException ce ? ce
                    : new java.util.concurrent.CompletionException(why);
        });
    }

    /** Cancels a queued or running job; fails with {@link RequestException} (NOT_FOUND, WRONG_STATE). */
    public CompletableFuture<Void> cancel(long jobId) {
        return connection.call(new Message.Cancel(jobId)).thenApply(r -> null);
    }

    /**
     * A page of the user's jobs, newest first.
     *
     * @param state only jobs in this state; null for all
     * @param nameContains only scripts whose name contains this; null for all
     * @param beforeJobId only jobs with a smaller id (0: the newest page)
     * @param limit at most this many (1..10000)
     */
    public CompletableFuture<Result.JobPage> history(JobState state, String nameContains,
            long beforeJobId, int limit) {
        return connection.call(new Message.History(state, nameContains, beforeJobId, limit))
                .thenApply(r -> {
                    Result.JobPage page = cast(r, Result.JobPage.class);
                    return new Result.JobPage(page.jobs().stream().map(UntrustedText::clean)
                            .toList(), page.more());
                });
    }

    /** Everything the runner may know about one of its jobs. */
    public CompletableFuture<JobDetail> details(long jobId) {
        return connection.call(new Message.JobQuery(jobId))
                .thenApply(r -> UntrustedText.clean(cast(r, Result.Detail.class).job()));
    }

    /** The pseudonym of the lender that runs or ran the job. */
    public CompletableFuture<String> lenderOf(long jobId) {
        return connection.call(new Message.LenderOf(jobId))
                .thenApply(r -> UntrustedText.clean(cast(r, Result.Text.class).text()));
    }

    /** The pool: lenders online, free slots, queued and running jobs. */
    public CompletableFuture<PoolStatus> pool() {
        return connection.call(new Message.PoolQuery())
                .thenApply(r -> cast(r, Result.Pool.class).status());
    }

    /**
     * Downloads one output file of a job into {@code target} ({@code GOF}), checking its size and
     * SHA-256; the file appears only when complete and correct (written to a temporary sibling
     * first). Fails with {@link RequestException} (NOT_FOUND, CHECKSUM).
     */
    public CompletableFuture<OutputFileInfo> fetchFile(long jobId, String name, Path target) {
        CompletableFuture<OutputFileInfo> done = new CompletableFuture<>();
        try {
            connection.open(new Message.GetOutputFile(jobId, name), new FileReceiver(target, done));
        } catch (IOException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    /**
     * Downloads every output file of a job under {@code dir} (keeping relative names), one after
     * the other. Completes with the files written.
     */
    public CompletableFuture<List<Path>> fetchAllFiles(long jobId, Path dir) {
        return details(jobId).thenCompose(d -> {
            CompletableFuture<List<Path>> chain = CompletableFuture.completedFuture(new ArrayList<>());
            for (OutputFileInfo f : d.files()) {
                chain = chain.thenCompose(list -> {
                    Path target;
                    try {
                        target = safeResolve(dir, f.name());
                    } catch (IOException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                    return fetchFile(jobId, f.name(), target).thenApply(x -> {
                        list.add(target);
                        return list;
                    });
                });
            }
            return chain;
        });
    }

    /**
     * {@code dir/name} for a relative name a server sent, refusing anything that would land
     * outside {@code dir} (absolute names, {@code ..}).
     */
    public static Path safeResolve(Path dir, String name) throws IOException {
        String why = FileNames.checkRelativePath(name);
        if (why != null) {
            throw new IOException("refusing the file name: " + why);
        }
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(name).normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            throw new IOException("refusing the file name " + FileNames.printable(name)
                    + ": it leaves " + dir);
        }
        return p;
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static <T extends Result> T cast(Result r, Class<T> type) {
        if (type.isInstance(r)) {
            return type.cast(r);
        }
        throw new IllegalStateException("expected " + type.getSimpleName() + ", got " + r);
    }
}
