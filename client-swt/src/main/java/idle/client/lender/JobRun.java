package idle.client.lender;

import idle.client.net.Exchange;
import idle.client.net.ExchangeHandler;
import idle.client.net.ServerConnection;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.protocol.Limits;
import idle.shared.protocol.SendWindow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One job on this lender: the exchange the server opened with {@code EXF#n}, and the script's run
 * in the {@link Sandbox}. The protocol, in order: {@code SCF} once the script started (or
 * {@code FLD} when it cannot start); {@code OUT} per output chunk with at most
 * {@link Limits#WINDOW_CHUNKS} unacknowledged, so a flooding script blocks on its own pipe; once
 * every {@code OUT} is acknowledged, per file it wrote {@code TOF}, {@code DAT}s (at most
 * {@link Limits#FILE_WINDOW_CHUNKS} unacknowledged) and {@code EOF}, within what is left of the
 * output cap; then {@code FIN} with the outcome. A {@code CAN} on the exchange kills the script,
 * which then ends as cancelled and is reported like any other end.
 *
 * <p>Lifecycle: made by {@link LenderAgent} when it accepts an {@code EXF} and put in
 * {@link RunningJobs}; {@link #start} adopts the exchange and runs the job on its own thread. The
 * job leaves {@link RunningJobs} as soon as {@code FIN} is out (the server may then send the next
 * job into the slot) or when it ends otherwise; its work directory is removed, the job log gets
 * a line and {@link #done} completes, whatever happened.
 *
 * <p>Threads: {@link #cancel}, {@link #abandon}, {@link #pause} and {@link #resume} may be called
 * from any thread at any time, also before the script started (the request is applied once it
 * has); {@link #onMessage} comes from the connection's reader. Abandoning (the job was given back
 * or the connection dropped, so the server re-queues it) kills the script and reports nothing.
 */
final class JobRun implements ExchangeHandler {
    private static final Logger LOG = Logger.getLogger(JobRun.class.getName());
    private static final long REPLY_TIMEOUT_SECONDS = 60;

    private final int id;
    private final Message.Execute x;
    private final ServerConnection connection;
    private final Sandbox sandbox;
    private final JobLog jobLog;
    private final RunningJobs jobs;
    private final LenderEvents events;
    private final SendWindow window = new SendWindow(Limits.WINDOW_CHUNKS);
    /** DAT chunks in flight; in use once every OUT was acknowledged (see sendFiles). */
    private final SendWindow fileWindow = new SendWindow(Limits.FILE_WINDOW_CHUNKS);
    private final BlockingQueue<Message> replies = new LinkedBlockingQueue<>();
    private final CountDownLatch startSent = new CountDownLatch(1);
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Object sendLock = new Object();
    private final Instant startedAt = Instant.now();
    private volatile boolean sendingFiles;
    private volatile Exchange exchange;
    private volatile SandboxRun run;
    private volatile boolean abandoned;
    private volatile boolean cancelRequested;
    private volatile boolean pauseRequested;
    /** Only the sandbox's pump threads send OUT, under sendLock. */
    private long nextSeq;

    /**
     * @param id the number of the server's {@code EXF} request (the exchange's id)
     * @param x the job to run
     */
    JobRun(int id, Message.Execute x, ServerConnection connection, Sandbox sandbox, JobLog jobLog,
            RunningJobs jobs, LenderEvents events) {
        this.id = id;
        this.x = x;
        this.connection = connection;
        this.sandbox = sandbox;
        this.jobLog = jobLog;
        this.jobs = jobs;
        this.events = events;
    }

    long jobId() {
        return x.jobId();
    }

    /** Completes when the job has ended in any way and its work directory is gone. */
    CompletableFuture<Void> done() {
        return done;
    }

    /** CPU time the script used so far, in milliseconds (0 before it started). */
    long cpuMillis() {
        SandboxRun r = run;
        return r == null ? 0 : r.cpuMillis();
    }

    /**
     * Takes over the server's exchange and runs the job on a new daemon thread.
     *
     * @throws IOException when the connection is already gone (nothing was started)
     */
    void start() throws IOException {
        exchange = connection.adopt(id, this);
        Thread t = new Thread(this::run, "idle-lender job " + x.jobId());
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void onMessage(Exchange ex, Message m) {
        switch (m) {
            case Message.Ack a -> (sendingFiles ? fileWindow : window).release();
            case Message.Success s -> replies.add(s);
            case Message.Failure f -> replies.add(f);
            case Message.Illegal i -> replies.add(i);
            case Message.Cancel c -> {
                cancel();
                trySend(new Message.Success(new Result.Empty()));
            }
            default -> LOG.fine(() -> "job " + x.jobId() + ": ignoring " + m.code());
        }
    }

    @Override
    public void onConnectionLost(Exchange ex, IOException cause) {
        abandon("connection lost");
    }

    /** Kills the script; the job ends as cancelled and is reported. */
    void cancel() {
        cancelRequested = true;
        SandboxRun r = run;
        if (r != null) {
            r.cancel();
        }
    }

    /** Kills the script and reports nothing: the server runs the job again elsewhere. */
    void abandon(String why) {
        if (abandoned) {
            return;
        }
        abandoned = true;
        SandboxRun r = run;
        if (r != null) {
            r.abandon();
        }
        window.close();
        fileWindow.close();
        replies.add(new Message.Illegal(why));
    }

    /** Stops the script's processes (SIGSTOP) until {@link #resume}. */
    void pause() {
        pauseRequested = true;
        SandboxRun r = run;
        if (r != null) {
            r.pause();
        }
    }

    void resume() {
        pauseRequested = false;
        SandboxRun r = run;
        if (r != null) {
            r.resume();
        }
    }

    private void run() {
        String sha = x.scriptSha256();
        String shortSha = sha.substring(0, Math.min(12, sha.length()));
        RunResult result = null;
        int filesSent = 0;
        boolean reported = false;
        try {
            RunSpec spec = new RunSpec("job" + x.jobId() + "-" + x.attempt(), x.scriptName(),
                    x.script(), x.args(), x.inputs(), x.environment(), x.task());
            try {
                run = sandbox.start(spec, this::output);
            } catch (IOException | RuntimeException e) {
                // The runner hears the sandbox's message, which names no path of the lender;
                // the cause (with paths) stays in the lender's own log.
                String why = e instanceof IOException ? e.getMessage()
                        : "an internal error (" + e.getClass().getSimpleName() + ")";
                LOG.log(Level.WARNING, "job " + x.jobId() + " cannot start", e);
                events.log("job " + x.jobId() + " " + x.scriptName() + ": cannot start: " + why);
                trySend(new Message.Failure(FailureKind.INTERNAL,
                        "the lender cannot start the script: " + why));
                return;
            }
            if (abandoned) {
                run.abandon();
            } else if (cancelRequested) {
                run.cancel();
            } else if (pauseRequested) {
                run.pause();
            }
            trySend(new Message.Success(new Result.Empty()));
            startSent.countDown();
            events.log("job " + x.jobId() + " (attempt " + x.attempt() + ") " + x.scriptName()
                    + " sha256 " + shortSha + ": started");
            events.jobStarted(x.jobId(), x.attempt(), x.scriptName(), sha);
            result = run.await();
            if (!abandoned) {
                filesSent = sendFiles(result);
            }
            if (!abandoned) {
                // The slot is free once FIN is out: the server may dispatch the next job at once.
                jobs.remove(this);
                exchange.send(new Message.Finished(x.jobId(), x.attempt(), result.outcome(),
                        result.use()));
                Message reply = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                reported = reply instanceof Message.Success;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(Level.FINE, "job " + x.jobId() + " lost", e);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "job " + x.jobId() + " failed in the lender", e);
            if (run != null) {
                run.abandon();
            }
        } finally {
            startSent.countDown();
            SandboxRun r = run;
            if (r != null) {
                r.cleanup();
            }
            if (exchange != null) {
                exchange.close();
            }
            jobs.remove(this);
            if (result != null) {
                record(result, sha, shortSha, filesSent, reported && !abandoned);
            }
            done.complete(null);
        }
    }

    private void record(RunResult result, String sha, String shortSha, int filesSent,
            boolean reported) {
        ServedJob served = new ServedJob(startedAt, Instant.now(), x.jobId(), x.attempt(),
                x.scriptName(), sha, result.outcome(), result.use(), filesSent, reported);
        try {
            jobLog.append(served);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write the job log " + jobLog.file(), e);
        }
        ResourceUse u = served.use();
        events.log("job " + x.jobId() + " (attempt " + x.attempt() + ") " + x.scriptName()
                + " sha256 " + shortSha + ": " + served.outcomeText() + " in "
                + seconds(u.wallMillis()) + ", CPU " + seconds(u.cpuMillis()) + ", output "
                + (u.stdoutBytes() + u.stderrBytes()) + " B, " + served.filesSent()
                + " file(s)");
        events.jobFinished(served);
    }

    /** The sandbox's output sink: one OUT per chunk, waiting for room in the window. */
    private void output(StreamKind stream, byte[] data) throws IOException, InterruptedException {
        startSent.await();
        if (abandoned) {
            throw new IOException("the job was given back");
        }
        window.acquire();
        synchronized (sendLock) {
            exchange.send(new Message.Output(x.jobId(), nextSeq++, stream, data));
        }
    }

    /** TOF, DAT*, EOF per file within what is left of the output cap; returns the files sent. */
    private int sendFiles(RunResult result) throws IOException, InterruptedException {
        long budget = (long) sandbox.settings().maxOutputMb() * 1024 * 1024
                - result.use().stdoutBytes() - result.use().stderrBytes();
        int sent = 0;
        if (!result.files().isEmpty() && !sendingFiles) {
            // Every OUT acknowledged first: from now on each OK is for a DAT, so files get
            // their own, larger window.
            if (!window.awaitDrained(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("the server did not acknowledge the output");
            }
            sendingFiles = true;
        }
        for (OutputFileInfo f : result.files()) {
            if (abandoned) {
                return sent;
            }
            if (f.size() > budget) {
                events.log("job " + x.jobId() + ": not sending " + f.name() + " (" + f.size()
                        + " B): over the output cap");
                continue;
            }
            Path p = result.workDir().resolve(f.name());
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            exchange.send(new Message.TakeOutputFile(x.jobId(), f.name(), f.size(), f.sha256()));
            Message reply = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!(reply instanceof Message.Success)) {
                if (reply == null || abandoned) {
                    throw new IOException("no answer to TOF");
                }
                events.log("job " + x.jobId() + ": server refused " + f.name() + ": " + reply);
                continue;
            }
            long seq = 0;
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                byte[] buf = new byte[Limits.CHUNK_BYTES];
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    fileWindow.acquire();
                    exchange.send(new Message.FileData(x.jobId(), seq++, Arrays.copyOf(buf, n)));
                }
            }
            exchange.send(new Message.EndOfFile(x.jobId(), f.name(), f.size(), f.sha256()));
            reply = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (reply == null || abandoned) {
                throw new IOException("no answer to EOF");
            }
            if (reply instanceof Message.Success) {
                budget -= f.size();
                sent++;
            } else {
                events.log("job " + x.jobId() + ": server rejected " + f.name() + ": " + reply);
            }
        }
        return sent;
    }

    private void trySend(Message m) {
        Exchange ex = exchange;
        try {
            if (ex != null) {
                ex.send(m);
            } else {
                connection.reply(id, m);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "job " + x.jobId() + ": send failed", e);
        }
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
