package idle.client.runner;

import idle.client.net.ConnectionListener;
import idle.client.net.ConnectionLostException;
import idle.client.net.ConnectionState;
import idle.client.net.Exchange;
import idle.client.net.ExchangeHandler;
import idle.client.net.RequestException;
import idle.client.net.RequestTooLargeException;
import idle.client.net.ServerConnection;
import idle.client.net.UntrustedText;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.InputFile;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import idle.shared.model.SweepTask;
import idle.shared.protocol.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a runner does with sweeps: submit one ({@code SWP}, then its tasks in batches of
 * {@code SWT} sent a few at a time without waiting for each answer), follow it (one {@code JST}
 * per task change, acknowledged), attach to one later ({@code SWA}), list sweeps and their tasks
 * ({@code SWL}), cancel ({@code SWC}) and retry the failures ({@code SWR}). A followed sweep whose
 * connection dropped is re-attached when it is back, and hears every task's state again.
 *
 * <p>Never blocks the caller: operations return futures completed on connection threads.
 * Texts the server relays (reasons, names) are handed out printable ({@link UntrustedText}).
 */
public final class SweepService {
    private static final Logger LOG = Logger.getLogger(SweepService.class.getName());
    /** Most tasks per SWT (the wire allows 10,000 per list). */
    static final int BATCH_TASKS = 2_000;
    /** Most bytes of task data per SWT, well under the 4 MiB frame. */
    static final int BATCH_BYTES = 3 << 20;
    /** Batches sent and not answered yet. */
    static final int IN_FLIGHT = 4;

    private final ServerConnection connection;
    private final Set<FollowedSweep> waiting = ConcurrentHashMap.newKeySet();
    private final Set<FollowedSweep> following = ConcurrentHashMap.newKeySet();

    public SweepService(ServerConnection connection) {
        this.connection = Objects.requireNonNull(connection);
        connection.addListener(new ConnectionListener() {
            @Override
            public void reconnected(boolean sessionResumed) {
                for (FollowedSweep s : List.copyOf(waiting)) {
                    waiting.remove(s);
                    if (!s.isDone()) {
                        attachTo(s);
                    }
                }
            }

            @Override
            public void stateChanged(ConnectionState state, String detail) {
                if (state == ConnectionState.CLOSED) {
                    for (FollowedSweep s : List.copyOf(following)) {
                        s.failed(new ConnectionLostException("the connection is closed: "
                                + detail, null));
                    }
                }
            }
        });
    }

    /**
     * Checks before anything is sent that every task fits in one request beside the script.
     *
     * @throws RequestTooLargeException naming the task
     */
    public static void check(SweepRequest r) throws RequestTooLargeException {
        long base = r.script().length + 512L;
        for (InputFile f : r.sharedInputs()) {
            base += f.data().length + 128L;
        }
        if (base > Limits.MAX_PAYLOAD) {
            throw new RequestTooLargeException(r.scriptName() + ": the script and the input "
                    + "files every task gets are " + base + " bytes; one request carries at most "
                    + Limits.MAX_PAYLOAD, base, Limits.MAX_PAYLOAD);
        }
        for (SweepTask t : r.tasks()) {
            for (String a : t.args()) {
                if (a.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_STRING) {
                    throw new RequestTooLargeException("task " + t.index() + ": an argument is "
                            + "longer than " + Limits.MAX_STRING + " bytes", Limits.MAX_STRING + 1,
                            Limits.MAX_STRING);
                }
            }
            long size = base + bytesOf(t);
            if (size > Limits.MAX_PAYLOAD) {
                throw new RequestTooLargeException("task " + t.index() + " of " + r.scriptName()
                        + ": with the script it is " + size + " bytes to send; one request "
                        + "carries at most " + Limits.MAX_PAYLOAD + " (script, arguments and input "
                        + "files together)", size, Limits.MAX_PAYLOAD);
            }
        }
    }

    /** The bytes task {@code t} takes in an SWT, as the codec writes it. */
    static long bytesOf(SweepTask t) {
        long n = 4 + 2 + 2;
        for (String a : t.args()) {
            n += 2 + a.getBytes(StandardCharsets.UTF_8).length;
        }
        for (InputFile f : t.inputs()) {
            n += 2 + f.name().getBytes(StandardCharsets.UTF_8).length + 4 + f.data().length + 66;
        }
        return n;
    }

    /**
     * Submits a sweep and follows it. Completes once the server stored the sweep (its id known);
     * the tasks are then on their way ({@link FollowedSweep#uploaded()}). Fails like
     * {@link RunnerService#submit}: {@link RequestTooLargeException} (nothing sent),
     * {@link RequestException} (NLA, FLD), or a connection failure.
     */
    public CompletableFuture<FollowedSweep> submit(SweepRequest request, SweepListener listener) {
        CompletableFuture<FollowedSweep> accepted = new CompletableFuture<>();
        try {
            check(request);
        } catch (RequestTooLargeException e) {
            accepted.completeExceptionally(e);
            return accepted;
        }
        openFollowing(request.toOpen(), listener, accepted, s -> upload(s, request));
        return accepted;
    }

    /**
     * Runs again the tasks of a finished sweep that did not succeed, as a new sweep (server side,
     * from what it stored); completes with the new sweep, followed.
     */
    public CompletableFuture<FollowedSweep> retry(long sweepId, SweepListener listener) {
        CompletableFuture<FollowedSweep> accepted = new CompletableFuture<>();
        openFollowing(new Message.SweepRetry(sweepId), listener, accepted,
                s -> s.expect(s.summary().tasks()));
        return accepted;
    }

    /**
     * Follows a sweep submitted earlier (or elsewhere): its summary, every task's state, and
     * with {@code live} its changes until every task ended.
     */
    public CompletableFuture<FollowedSweep> attach(long sweepId, boolean live,
            SweepListener listener) {
        CompletableFuture<FollowedSweep> accepted = new CompletableFuture<>();
        openFollowing(new Message.SweepAttach(sweepId, live), listener, accepted, s -> {
            if (!s.summary().open()) {
                s.expect(s.summary().tasks());
            }
        });
        return accepted;
    }

    private void openFollowing(Message first, SweepListener listener,
            CompletableFuture<FollowedSweep> accepted,
            java.util.function.Consumer<FollowedSweep> then) {
        ExchangeHandler h = new ExchangeHandler() {
            private FollowedSweep sweep;

            @Override
            public void onMessage(Exchange ex, Message m) {
                if (sweep == null) {
                    try {
                        Result r = ServerConnection.expectSuccess(m);
                        if (!(r instanceof Result.Sweep s)) {
                            throw new RequestException(RequestException.Type.ILLEGAL, null,
                                    "unexpected answer to a sweep: " + r);
                        }
                        SweepSummary clean = clean(s.sweep());
                        sweep = new FollowedSweep(clean.sweepId(), clean, listener);
                        following.add(sweep);
                        sweep.listener().accepted(clean);
                        accepted.complete(sweep);
                        then.accept(sweep);
                    } catch (RequestException e) {
                        ex.close();
                        accepted.completeExceptionally(e);
                    }
                    return;
                }
                heard(sweep, ex, m);
            }

            @Override
            public void onConnectionLost(Exchange ex, IOException cause) {
                if (sweep == null) {
                    accepted.completeExceptionally(cause);
                } else {
                    lost(sweep, cause);
                }
            }
        };
        try {
            connection.open(first, h);
        } catch (IOException e) {
            accepted.completeExceptionally(e);
        }
    }

    private void heard(FollowedSweep sweep, Exchange ex, Message m) {
        if (m instanceof Message.JobEvent e) {
            try {
                ex.send(new Message.Ack(0));
            } catch (IOException io) {
                // the drop is reported through onConnectionLost
            }
            sweep.event(UntrustedText.clean(e.job()));
            if (sweep.isDone()) {
                following.remove(sweep);
            }
        }
    }

    private void lost(FollowedSweep sweep, IOException cause) {
        if (sweep.isDone()) {
            return;
        }
        sweep.listener().interrupted(cause.getMessage() == null ? "connection lost"
                : cause.getMessage());
        waiting.add(sweep);
        if (connection.state() == ConnectionState.CLOSED) {
            sweep.failed(cause);
        }
    }

    /** Re-attaches after a drop: the summary (with the tasks held) and every task again. */
    private void attachTo(FollowedSweep sweep) {
        ExchangeHandler h = new ExchangeHandler() {
            private boolean first = true;

            @Override
            public void onMessage(Exchange ex, Message m) {
                if (first) {
                    first = false;
                    if (m instanceof Message.Success s && s.result() instanceof Result.Sweep sw) {
                        sweep.reattached(clean(sw.sweep()));
                    } else {
                        ex.close();
                        sweep.failed(new IOException("the sweep could not be re-attached: " + m));
                    }
                    return;
                }
                heard(sweep, ex, m);
            }

            @Override
            public void onConnectionLost(Exchange ex, IOException cause) {
                lost(sweep, cause);
            }
        };
        try {
            connection.open(new Message.SweepAttach(sweep.sweepId(), true), h);
        } catch (IOException e) {
            waiting.add(sweep);
        }
    }

    /**
     * Sends the tasks in batches, at most {@link #IN_FLIGHT} unanswered, the last one closing
     * the sweep; then the sweep knows how many tasks it holds.
     */
    private void upload(FollowedSweep sweep, SweepRequest r) {
        List<List<SweepTask>> batches = batches(r.tasks());
        Thread.ofVirtual().name("idle-sweep-upload-" + sweep.sweepId()).start(() -> {
            Semaphore room = new Semaphore(IN_FLIGHT);
            List<CompletableFuture<Result>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < batches.size(); i++) {
                    room.acquire();
                    CompletableFuture<Result> a = connection.call(new Message.SweepTasks(
                            sweep.sweepId(), batches.get(i), i == batches.size() - 1));
                    a.whenComplete((x, e) -> room.release());
                    answers.add(a);
                    if (a.isCompletedExceptionally()) {
                        break;
                    }
                }
                CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
                sweep.expect(r.tasks().size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sweep.uploadFailed(e);
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                LOG.log(Level.FINE, "upload of sweep " + sweep.sweepId() + " failed", cause);
                sweep.uploadFailed(cause);
            }
        });
    }

    /** Tasks cut into batches that fit one SWT each. */
    static List<List<SweepTask>> batches(List<SweepTask> tasks) {
        List<List<SweepTask>> out = new ArrayList<>();
        List<SweepTask> cur = new ArrayList<>();
        long bytes = 0;
        for (SweepTask t : tasks) {
            long b = bytesOf(t);
            if (!cur.isEmpty() && (cur.size() >= BATCH_TASKS || bytes + b > BATCH_BYTES)) {
                out.add(cur);
                cur = new ArrayList<>();
                bytes = 0;
            }
            cur.add(t);
            bytes += b;
        }
        out.add(cur);
        return out;
    }

    // ---- queries -------------------------------------------------------------------------------

    /** A page of the user's sweeps, newest first, with ids below {@code beforeId} (0: newest). */
    public CompletableFuture<Result.SweepPage> sweeps(long beforeId, int limit) {
        return connection.call(new Message.SweepList(0, beforeId, limit)).thenApply(r -> {
            Result.SweepPage p = (Result.SweepPage) r;
            return new Result.SweepPage(p.sweeps().stream().map(SweepService::clean).toList(),
                    p.more());
        });
    }

    /** A page of a sweep's tasks, highest job id first, with job ids below {@code beforeId}. */
    public CompletableFuture<Result.JobPage> tasks(long sweepId, long beforeId, int limit) {
        return connection.call(new Message.SweepList(sweepId, beforeId, limit)).thenApply(r -> {
            Result.JobPage p = (Result.JobPage) r;
            return new Result.JobPage(p.jobs().stream().map(UntrustedText::clean).toList(),
                    p.more());
        });
    }

    /** Every task of a sweep, by ascending task index. */
    public CompletableFuture<List<JobSummary>> allTasks(long sweepId) {
        List<JobSummary> all = new ArrayList<>();
        return allFrom(sweepId, 0, all).thenApply(v -> {
            all.sort(java.util.Comparator.comparingInt(JobSummary::taskIndex));
            return all;
        });
    }

    private CompletableFuture<Void> allFrom(long sweepId, long before, List<JobSummary> into) {
        return tasks(sweepId, before, 5_000).thenCompose(p -> {
            into.addAll(p.jobs());
            if (!p.more() || p.jobs().isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            return allFrom(sweepId, p.jobs().get(p.jobs().size() - 1).jobId(), into);
        });
    }

    /** Cancels what is left of a sweep; completes with the server's sentence. */
    public CompletableFuture<String> cancel(long sweepId) {
        return connection.call(new Message.SweepCancel(sweepId))
                .thenApply(r -> UntrustedText.clean(((Result.Text) r).text()));
    }

    /** A summary with its script name made printable. */
    static SweepSummary clean(SweepSummary s) {
        return new SweepSummary(s.sweepId(), UntrustedText.clean(s.scriptName()), s.taskCount(),
                s.tasks(), s.queued(), s.running(), s.succeeded(), s.failed(), s.cancelled(),
                s.submittedAt(), s.finishedAt(), s.retryOf(), s.open());
    }
}
