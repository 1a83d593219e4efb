package idle.client.runner;

import idle.client.net.ConnectionLostException;
import idle.client.net.Exchange;
import idle.client.net.ExchangeHandler;
import idle.client.net.RequestException;
import idle.client.net.UntrustedText;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobSummary;
import idle.shared.model.OutputFileInfo;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A job whose output and state this client follows: the exchange of its submission ({@code RCS})
 * or of an {@code ATT}. Output chunks are delivered once each, in order, across reconnects (the
 * runner service re-attaches from the next sequence number after a drop).
 *
 * <p>Thread-safe. {@link #completion()} completes with the terminal summary (or, when following
 * only what exists, {@code follow=false}, with the state at the end of the replay), or fails when
 * following ends for good without one.
 *
 * <p>The job owns its state transitions (output sequence, attempts, terminal state); what it needs
 * from outside (forget it, re-attach it, cancel it) it asks of its {@link Follower}, never of the
 * service that made it.
 */
public final class FollowedJob {
    private static final Logger LOG = Logger.getLogger(FollowedJob.class.getName());

    private final Follower follower;
    private final long jobId;
    private final JobListener listener;
    private final boolean live;
    private final CompletableFuture<JobSummary> completion = new CompletableFuture<>();
    private volatile JobSummary latest;
    private volatile Exchange exchange;
    private long nextSeq;
    /** The attempt whose output is being delivered (-1 before its first chunk). */
    private int outputAttempt = -1;
    /** The highest attempt number any summary showed (the first run is attempt 1). */
    private int latestAttempts;
    private volatile boolean stopped;
    private volatile boolean interrupted;

    FollowedJob(Follower follower, long jobId, JobListener listener, boolean live,
            long fromSeq) {
        this.follower = follower;
        this.jobId = jobId;
        this.listener = listener != null ? listener : new JobListener() {
        };
        this.live = live;
        this.nextSeq = fromSeq;
    }

    /**
     * What a followed job asks of whoever keeps it followed across reconnects. Called on the
     * connection's reader thread or the caller's; must not block.
     */
    interface Follower {
        /** Following ended for good (terminal state, stopped, failed): forget the job. */
        void ended(FollowedJob job);

        /** The job's exchange dropped: attach it again when the connection is back. */
        void lost(FollowedJob job);

        /** Another attempt began while away: attach again now, from {@link #nextSeq()}. */
        void reattach(FollowedJob job);

        /** Asks the server to cancel the job. */
        CompletableFuture<Void> cancel(long jobId);
    }

    public long jobId() {
        return jobId;
    }

    /** The last state heard, or null before any. */
    public JobSummary latest() {
        return latest;
    }

    /** Completes when the job ends (see the class comment). */
    public CompletableFuture<JobSummary> completion() {
        return completion;
    }

    /** Stops following (the job goes on at the server). Idempotent. */
    public void stop() {
        stopped = true;
        Exchange ex = exchange;
        if (ex != null) {
            ex.close();
        }
        follower.ended(this);
        completion.completeExceptionally(new java.util.concurrent.CancellationException(
                "stopped following job " + jobId));
    }

    /** Asks the server to cancel the job; following goes on until its terminal state. */
    public CompletableFuture<Void> cancel() {
        return follower.cancel(jobId);
    }

    boolean isDone() {
        return stopped || completion.isDone();
    }

    boolean isInterrupted() {
        return interrupted;
    }

    synchronized long nextSeq() {
        return nextSeq;
    }

    /** The handler for one exchange (the first RCS, then each ATT after a drop). */
    ExchangeHandler handler(boolean attach) {
        return new ExchangeHandler() {
            private boolean detailSeen = !attach;

            @Override
            public void onMessage(Exchange ex, Message m) {
                exchange = ex;
                switch (m) {
                    case Message.Success s when s.result() instanceof Result.Detail d && !detailSeen -> {
                        detailSeen = true;
                        onDetail(ex, UntrustedText.clean(d.job().summary()));
                    }
                    case Message.Output o -> {
                        ack(ex, o.seq());
                        onOutput(o);
                    }
                    case Message.JobEvent e -> {
                        ack(ex, 0);
                        onEvent(ex, UntrustedText.clean(e.job()));
                    }
                    case Message.TakeOutputFile t -> {
                        ack(ex, 0);
                        OutputFileInfo file = new OutputFileInfo(t.name(), t.size(), t.sha256());
                        safe(() -> listener.fileAnnounced(jobId, file));
                    }
                    case Message.Failure f -> end(ex, new RequestException(
                            RequestException.Type.FAILED, f.kind(), f.reason()));
                    case Message.Illegal i -> end(ex, new RequestException(
                            RequestException.Type.ILLEGAL, null, i.reason()));
                    default -> LOG.fine(() -> "job " + jobId + ": ignoring " + m.code());
                }
            }

            @Override
            public void onConnectionLost(Exchange ex, IOException cause) {
                if (isDone()) {
                    return;
                }
                interrupted = true;
                safe(() -> listener.interrupted(cause.getMessage()));
                follower.lost(FollowedJob.this);
            }
        };
    }

    void attached(Exchange ex) {
        exchange = ex;
        if (interrupted) {
            interrupted = false;
            safe(listener::resumed);
        }
    }

    private void onDetail(Exchange ex, JobSummary s) {
        boolean restart;
        synchronized (this) {
            // The spool holds the output of the job's current attempt only.
            restart = nextSeq > 0 && outputAttempt >= 1 && s.attempts() != outputAttempt;
            latestAttempts = Math.max(latestAttempts, s.attempts());
            if (restart) {
                nextSeq = 0;
                outputAttempt = -1;
            }
        }
        latest = s;
        if (restart) {
            // Another attempt began while we were away: ask again from its first chunk.
            ex.close();
            safe(() -> listener.restarted(s));
            follower.reattach(this);
            return;
        }
        safe(() -> listener.stateChanged(s));
    }

    private void onOutput(Message.Output o) {
        synchronized (this) {
            if (o.seq() < nextSeq) {
                return; // a repeat after re-attaching
            }
            if (outputAttempt < 0) {
                outputAttempt = Math.max(latestAttempts, 1);
            }
            nextSeq = o.seq() + 1;
        }
        safe(() -> listener.output(jobId, o.stream(), o.data()));
    }

    private void onEvent(Exchange ex, JobSummary s) {
        boolean restart = false;
        synchronized (this) {
            latestAttempts = Math.max(latestAttempts, s.attempts());
            // A new attempt running after output of an earlier one: its output starts at seq 0.
            if (s.state() == idle.shared.model.JobState.RUNNING && nextSeq > 0
                    && s.attempts() > outputAttempt) {
                restart = true;
                nextSeq = 0;
                outputAttempt = -1;
            }
        }
        latest = s;
        if (restart) {
            safe(() -> listener.restarted(s));
        } else {
            safe(() -> listener.stateChanged(s));
        }
        if (s.state().isTerminal() || !live) {
            ex.close();
            follower.ended(this);
            if (s.state().isTerminal()) {
                safe(() -> listener.finished(s));
            }
            completion.complete(s);
        }
    }

    void end(Exchange ex, Throwable why) {
        if (ex != null) {
            ex.close();
        }
        follower.ended(this);
        if (!completion.isDone()) {
            safe(() -> listener.failed(why));
            completion.completeExceptionally(why);
        }
    }

    void connectionClosed(String why) {
        end(null, new ConnectionLostException(why, null));
    }

    private void ack(Exchange ex, long seq) {
        try {
            ex.send(new Message.Ack(seq));
        } catch (IOException e) {
            LOG.log(Level.FINE, "ack lost", e);
        }
    }

    private void safe(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job listener failed", e);
        }
    }

    @Override
    public String toString() {
        return "FollowedJob[" + jobId + "]";
    }
}
