package idle.client.lender;

import idle.client.net.ConnectionListener;
import idle.client.net.ConnectionState;
import idle.client.net.Exchange;
import idle.client.net.ExchangeHandler;
import idle.client.net.RequestException;
import idle.client.net.ServerConnection;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Limits;
import idle.shared.protocol.SendWindow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lends this machine: registers as a lender ({@code MML}), runs the jobs the server hands it
 * ({@code EXF}) in the {@link Sandbox}, streams their output ({@code OUT}, at most
 * {@link Limits#WINDOW_CHUNKS} unacknowledged, so a flooding script blocks on its pipe), sends the
 * files they wrote ({@code TOF}/{@code DAT}/{@code EOF}) and reports the end ({@code FIN}). Obeys
 * {@code CAN} (kills the job's process tree), withdraws on request ({@code WBL}) finishing or
 * giving back its jobs, and with the when-idle policy pauses jobs (SIGSTOP) while the owner uses
 * the machine, tells the server ({@code BSY}), and gives jobs back if that lasts.
 *
 * <p>Threads: {@link #start} and {@link #withdraw} return futures and never block. Each job runs
 * on its own thread; listener calls come from those threads and the connection's threads.
 * After a network drop the server has already re-queued this lender's jobs, so the agent kills
 * them (without reporting) and registers again when the connection is back.
 */
public final class LenderAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LenderAgent.class.getName());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private static final long REPLY_TIMEOUT_SECONDS = 60;

    private final ServerConnection connection;
    private final Sandbox sandbox;
    private final JobLog jobLog;
    private final LenderListener listener;
    private final Map<Long, JobRun> jobs = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile boolean lending;
    private volatile boolean withdrawing;
    private volatile boolean busy;
    private volatile String pseudonym = "";
    private volatile boolean givenBack;
    private IdleMonitor idleMonitor;
    private final ConnectionListener connectionListener;
    private java.util.concurrent.ScheduledExecutorService giveBackTimer;
    private java.util.concurrent.ScheduledFuture<?> giveBack;

    public LenderAgent(ServerConnection connection, Sandbox sandbox, JobLog jobLog,
            LenderListener listener) {
        this.connection = Objects.requireNonNull(connection);
        this.sandbox = Objects.requireNonNull(sandbox);
        this.jobLog = Objects.requireNonNull(jobLog);
        this.listener = listener != null ? listener : new LenderListener() {
        };
        this.connectionListener = new ConnectionListener() {
            @Override
            public void reconnected(boolean sessionResumed) {
                if (lending && !withdrawing) {
                    register().exceptionally(e -> {
                        fail(e);
                        return null;
                    });
                }
            }

            @Override
            public void stateChanged(ConnectionState state, String detail) {
                if (state == ConnectionState.CLOSED && lending) {
                    abandonAll("the connection is closed");
                    stopLending(new IOException("the connection is closed: " + detail));
                }
            }

            @Override
            public void serverShuttingDown(String reason) {
                log("server shutting down: " + reason);
            }
        };
    }

    /** What this lender offers, as sent with {@code MML}. */
    public LenderCapabilities capabilities() {
        LenderSettings s = sandbox.settings();
        return new LenderCapabilities(sandbox.python().version(),
                Runtime.getRuntime().availableProcessors(), physicalMemoryMb(), s.maxJobs(),
                s.cpuSeconds(), s.memoryMb(), s.timeoutSeconds(), s.maxOutputMb(),
                sandbox.description(), s.whenIdle());
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public JobLog jobLog() {
        return jobLog;
    }

    public boolean isLending() {
        return lending;
    }

    /** The pseudonym runners see for this machine; empty before {@link #start}. */
    public String pseudonym() {
        return pseudonym;
    }

    /** True while paused because the owner needs the machine. */
    public boolean isPausedForOwner() {
        return busy;
    }

    /** Jobs running here now. */
    public int runningJobs() {
        return jobs.size();
    }

    /**
     * Starts lending: registers with the server and takes jobs. Completes with the pseudonym;
     * fails with a {@link RequestException} when the server refuses.
     */
    public CompletableFuture<String> start() {
        synchronized (lock) {
            if (lending) {
                return CompletableFuture.completedFuture(pseudonym);
            }
            lending = true;
            withdrawing = false;
        }
        giveBackTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idle-give-back");
            t.setDaemon(true);
            return t;
        });
        connection.setServerRequestHandler(this::onServerRequest);
        connection.addListener(connectionListener);
        CompletableFuture<String> f = register();
        f.whenComplete((p, e) -> {
            if (e != null) {
                stopLending(null);
                return;
            }
            if (sandbox.settings().whenIdle()) {
                startIdleMonitor();
            }
        });
        return f;
    }

    private CompletableFuture<String> register() {
        return connection.call(new Message.MakeLender(capabilities())).thenApply(r -> {
            String p = r instanceof Result.Text t ? t.text() : "";
            pseudonym = p;
            log("lending as " + (p.isEmpty() ? "(no pseudonym)" : p) + " to " + connection.address()
                    + ": " + sandbox.description() + ", up to " + sandbox.settings().maxJobs()
                    + " job(s) at once");
            safe(() -> listener.started(p));
            if (busy) {
                connection.call(new Message.Availability(false, "the owner is using the machine"));
            }
            return p;
        });
    }

    /**
     * Stops lending ({@code WBL}). With {@code returnJobs} the running jobs are killed and go back
     * to the queue at once; otherwise they finish first. Completes when nothing runs any more.
     */
    public CompletableFuture<Void> withdraw(boolean returnJobs) {
        synchronized (lock) {
            if (!lending) {
                return CompletableFuture.completedFuture(null);
            }
            withdrawing = true;
        }
        log(returnJobs ? "withdrawing; giving back " + jobs.size() + " running job(s)"
                : "withdrawing; finishing " + jobs.size() + " running job(s) first");
        CompletableFuture<Void> done = new CompletableFuture<>();
        connection.call(new Message.Withdraw(returnJobs)).whenComplete((r, e) -> {
            if (e != null) {
                LOG.log(Level.FINE, "WBL failed", e);
            }
            if (returnJobs || e != null) {
                abandonAll("given back");
            }
            List<CompletableFuture<Void>> ends = jobs.values().stream().map(j -> j.done).toList();
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).whenComplete((x, y) -> {
                stopLending(null);
                done.complete(null);
            });
        });
        return done;
    }

    /** Withdraws giving jobs back, and waits a little for it. */
    @Override
    public void close() {
        try {
            withdraw(true).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "withdraw on close", e);
            abandonAll("closing");
            stopLending(null);
        }
    }

    private void stopLending(Throwable error) {
        synchronized (lock) {
            if (!lending) {
                return;
            }
            lending = false;
            withdrawing = false;
        }
        connection.removeListener(connectionListener);
        connection.setServerRequestHandler(null);
        if (idleMonitor != null) {
            idleMonitor.close();
            idleMonitor = null;
        }
        if (giveBackTimer != null) {
            giveBackTimer.shutdownNow();
            giveBackTimer = null;
        }
        log(error == null ? "stopped lending" : "stopped lending: " + error.getMessage());
        safe(() -> listener.stopped(error));
    }

    private void fail(Throwable e) {
        abandonAll("error");
        stopLending(e);
    }

    // ---- server requests -------------------------------------------------------------------

    private void onServerRequest(ServerConnection c, int id, Message m) {
        switch (m) {
            case Message.Execute x -> onExecute(id, x);
            case Message.Cancel cn -> {
                JobRun j = jobs.get(cn.jobId());
                try {
                    if (j == null) {
                        c.reply(id, new Message.Failure(FailureKind.NOT_FOUND,
                                "job " + cn.jobId() + " is not running here"));
                    } else {
                        log("job " + cn.jobId() + ": cancel requested");
                        j.cancel();
                        c.reply(id, new Message.Success(new Result.Empty()));
                    }
                } catch (IOException e) {
                    LOG.log(Level.FINE, "cannot answer CAN", e);
                }
            }
            default -> {
                try {
                    c.reply(id, new Message.Illegal(m.code() + " is not expected by a lender"));
                } catch (IOException ignored) {
                    // dropped anyway
                }
            }
        }
    }

    private void onExecute(int id, Message.Execute x) {
        String refusal = null;
        if (!lending || withdrawing) {
            refusal = "this lender is withdrawing";
        } else if (busy) {
            refusal = "this lender's owner is using the machine";
        } else if (jobs.size() >= sandbox.settings().maxJobs()) {
            refusal = "this lender already runs " + jobs.size() + " job(s)";
        } else if (jobs.containsKey(x.jobId())) {
            refusal = "job " + x.jobId() + " already runs here";
        } else {
            refusal = checkNames(x);
        }
        if (refusal != null) {
            try {
                connection.reply(id, new Message.Failure(FailureKind.WRONG_STATE, refusal));
            } catch (IOException ignored) {
                // dropped anyway
            }
            return;
        }
        JobRun job = new JobRun(id, x);
        jobs.put(x.jobId(), job);
        try {
            job.exchange = connection.adopt(id, job);
        } catch (IOException e) {
            jobs.remove(x.jobId());
            return;
        }
        Thread t = new Thread(job::run, "idle-lender job " + x.jobId());
        t.setDaemon(true);
        t.start();
    }

    private static String checkNames(Message.Execute x) {
        return FileNames.checkJobFiles(x.scriptName(),
                x.inputs().stream().map(InputFile::name).toList());
    }

    private void abandonAll(String why) {
        for (JobRun j : jobs.values()) {
            j.abandon(why);
        }
    }

    // ---- when idle -------------------------------------------------------------------------

    private void startIdleMonitor() {
        LenderSettings.IdlePolicy p = sandbox.settings().idle();
        idleMonitor = new IdleMonitor(p, this::jobsCpuMillis, new IdleMonitor.Listener() {
            @Override
            public void busy(String reason) {
                pauseForOwner(reason);
            }

            @Override
            public void idle(String reason) {
                resumeAfterOwner(reason);
            }
        }).start();
    }

    private long jobsCpuMillis() {
        long sum = 0;
        for (JobRun j : jobs.values()) {
            SandboxRun r = j.run;
            if (r != null) {
                sum += r.cpuMillis();
            }
        }
        return sum;
    }

    /**
     * The owner needs the machine (the when-idle monitor calls this, and so may a "pause" button):
     * running jobs are stopped with SIGSTOP, the server hears {@code BSY} and sends no new jobs,
     * and if this lasts longer than the policy's {@code giveBackAfter} the jobs are given back
     * ({@code WBL} with returnJobs) to run elsewhere.
     */
    public void pauseForOwner(String reason) {
        if (busy || !lending) {
            return;
        }
        busy = true;
        log("busy: " + reason + "; pausing " + jobs.size() + " job(s)");
        for (JobRun j : jobs.values()) {
            j.pause();
        }
        connection.call(new Message.Availability(false, reason));
        safe(() -> listener.availabilityChanged(false, reason));
        var timer = giveBackTimer;
        if (timer != null) {
            long ms = sandbox.settings().idle().giveBackAfter().toMillis();
            giveBack = timer.schedule(() -> {
                if (busy && !jobs.isEmpty()) {
                    log("still busy after " + ms / 1000 + " s: giving back " + jobs.size() + " job(s)");
                    // WBL with returnJobs re-queues them at the server; register again when idle.
                    connection.call(new Message.Withdraw(true)).whenComplete((r, e) -> {
                        abandonAll("given back: the owner needs the machine");
                    });
                    givenBack = true;
                }
            }, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** The machine is free again: paused jobs continue (SIGCONT) and new ones are taken. */
    public void resumeAfterOwner(String reason) {
        if (!busy) {
            return;
        }
        busy = false;
        var g = giveBack;
        if (g != null) {
            g.cancel(false);
        }
        log("idle: " + reason + "; resuming");
        for (JobRun j : jobs.values()) {
            j.resume();
        }
        if (givenBack) {
            givenBack = false;
            register();
        } else {
            connection.call(new Message.Availability(true, reason));
        }
        safe(() -> listener.availabilityChanged(true, reason));
    }

    // ---- one job ---------------------------------------------------------------------------

    /** One job's exchange with the server and its run in the sandbox. */
    private final class JobRun implements ExchangeHandler {
        final int id;
        final Message.Execute x;
        final SendWindow window = new SendWindow(Limits.WINDOW_CHUNKS);
        /** DAT chunks in flight; in use once every OUT was acknowledged (see sendFiles). */
        final SendWindow fileWindow = new SendWindow(Limits.FILE_WINDOW_CHUNKS);
        volatile boolean sendingFiles;
        final BlockingQueue<Message> replies = new LinkedBlockingQueue<>();
        final CountDownLatch startSent = new CountDownLatch(1);
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final Object sendLock = new Object();
        final Instant startedAt = Instant.now();
        volatile Exchange exchange;
        volatile SandboxRun run;
        volatile boolean abandoned;
        volatile boolean cancelRequested;
        volatile boolean pauseRequested;
        long nextSeq;

        JobRun(int id, Message.Execute x) {
            this.id = id;
            this.x = x;
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

        void cancel() {
            cancelRequested = true;
            SandboxRun r = run;
            if (r != null) {
                r.cancel();
            }
        }

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

        void run() {
            String sha = x.scriptSha256();
            String shortSha = sha.substring(0, Math.min(12, sha.length()));
            RunResult result = null;
            int filesSent = 0;
            boolean reported = false;
            try {
                RunSpec spec = new RunSpec("job" + x.jobId() + "-" + x.attempt(), x.scriptName(),
                        x.script(), x.args(), x.inputs());
                try {
                    run = sandbox.start(spec, this::output);
                } catch (IOException e) {
                    log("job " + x.jobId() + " " + x.scriptName() + ": cannot start: " + e.getMessage());
                    trySend(new Message.Failure(FailureKind.INTERNAL,
                            "the lender cannot start the script: " + e.getMessage()));
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
                log("job " + x.jobId() + " (attempt " + x.attempt() + ") " + x.scriptName()
                        + " sha256 " + shortSha + ": started");
                safe(() -> listener.jobStarted(x.jobId(), x.attempt(), x.scriptName(), sha));
                result = run.await();
                if (!abandoned) {
                    filesSent = sendFiles(result);
                }
                if (!abandoned) {
                    // The slot is free once FIN is out: the server may dispatch the next job at once.
                    jobs.remove(x.jobId(), this);
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
                jobs.remove(x.jobId(), this);
                if (result != null) {
                    ServedJob served = new ServedJob(startedAt, Instant.now(), x.jobId(), x.attempt(),
                            x.scriptName(), sha, result.outcome(), result.use(), filesSent,
                            reported && !abandoned);
                    try {
                        jobLog.append(served);
                    } catch (IOException e) {
                        LOG.log(Level.WARNING, "cannot write the job log " + jobLog.file(), e);
                    }
                    ResourceUse u = served.use();
                    log("job " + x.jobId() + " (attempt " + x.attempt() + ") " + x.scriptName()
                            + " sha256 " + shortSha + ": " + served.outcomeText() + " in "
                            + seconds(u.wallMillis()) + ", CPU " + seconds(u.cpuMillis()) + ", output "
                            + (u.stdoutBytes() + u.stderrBytes()) + " B, " + served.filesSent()
                            + " file(s)");
                    safe(() -> listener.jobFinished(served));
                }
                done.complete(null);
            }
        }

        /** The sandbox's output sink: one OUT per chunk, waiting for room in the window. */
        void output(StreamKind stream, byte[] data) throws IOException, InterruptedException {
            startSent.await();
            if (abandoned) {
                throw new IOException("the job was given back");
            }
            window.acquire();
            synchronized (sendLock) {
                exchange.send(new Message.Output(x.jobId(), nextSeq++, stream, data));
            }
        }

        /** TOF, DAT*, EOF per file within what is left of the output cap. */
        int sendFiles(RunResult result) throws IOException, InterruptedException {
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
                    log("job " + x.jobId() + ": not sending " + f.name() + " (" + f.size()
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
                    log("job " + x.jobId() + ": server refused " + f.name() + ": " + reply);
                    continue;
                }
                long seq = 0;
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    byte[] buf = new byte[Limits.CHUNK_BYTES];
                    int n;
                    while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                        fileWindow.acquire();
                        exchange.send(new Message.FileData(x.jobId(), seq++,
                                java.util.Arrays.copyOf(buf, n)));
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
                    log("job " + x.jobId() + ": server rejected " + f.name() + ": " + reply);
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
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void log(String line) {
        String stamped = "[" + TIME.format(Instant.now()) + "] " + line;
        safe(() -> listener.log(stamped));
    }

    private void safe(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "lender listener failed", e);
        }
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    static long physicalMemoryMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }
}
