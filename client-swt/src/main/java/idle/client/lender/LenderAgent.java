package idle.client.lender;

import idle.client.net.ConnectionListener;
import idle.client.net.ConnectionState;
import idle.client.net.RequestException;
import idle.client.net.ServerConnection;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.PythonEnvironment;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lends this machine: registers as a lender ({@code MML}), accepts the jobs the server hands it
 * ({@code EXF}) up to its slots, and withdraws on request ({@code WBL}), finishing or giving back
 * its jobs. Each accepted job is a {@link JobRun}, which runs it in the {@link Sandbox} and does
 * the job's protocol (output with at most {@link Limits#WINDOW_CHUNKS} chunks unacknowledged,
 * files, {@code FIN}); a {@code CAN} kills the job's process tree. While the owner uses the
 * machine (the when-idle policy, or {@link #pauseForOwner}) {@link OwnerPause} pauses the jobs,
 * tells the server ({@code BSY}) and gives them back if that lasts.
 *
 * <p>Lifecycle: {@link #start} registers; {@link #withdraw} or {@link #close} stop; a stopped
 * agent may start again. After a network drop the server has already re-queued this lender's
 * jobs, so the agent kills them (without reporting) and registers again when the connection is
 * back; when the connection is closed for good, lending stops with an error.
 *
 * <p>Threads: {@link #start} and {@link #withdraw} return futures and never block. Each job runs
 * on its own thread; listener calls come from those threads, the connection's threads and the
 * when-idle monitor's.
 */
public final class LenderAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LenderAgent.class.getName());

    private final ServerConnection connection;
    private final Sandbox sandbox;
    private final JobLog jobLog;
    private final LenderEvents events;
    private final RunningJobs jobs = new RunningJobs();
    private final OwnerPause ownerPause;
    private final Object lock = new Object();
    private volatile boolean lending;
    private volatile boolean withdrawing;
    private volatile String pseudonym = "";
    private final CreditLog creditLog = new CreditLog();
    /** What each environment offers, as last probed; null before the first probe. */
    private volatile List<PythonEnvironment> inventory;
    /** The package fingerprint the last offer was made with ({@link Sandbox#packageFingerprint}). */
    private volatile List<String> offeredFingerprint = List.of();
    /** How often the environments are checked for installed or removed packages. */
    private volatile Duration inventoryCheck = Duration.ofSeconds(60);
    private volatile java.util.concurrent.ScheduledFuture<?> inventoryWatch;
    private volatile boolean reoffering;
    /** Runs inventory probes (a process in the sandbox each), one at a time per JVM. */
    /** Runs the inventory watchers of every agent of this JVM (each check is a few stats). */
    private static final java.util.concurrent.ScheduledExecutorService WATCH =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "idle-inventory-watch");
                t.setDaemon(true);
                return t;
            });
    private static final java.util.concurrent.Executor PROBES =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "idle-inventory-probe");
                t.setDaemon(true);
                return t;
            });
    private final ConnectionListener connectionListener;

    public LenderAgent(ServerConnection connection, Sandbox sandbox, JobLog jobLog,
            LenderListener listener) {
        this.connection = Objects.requireNonNull(connection);
        this.sandbox = Objects.requireNonNull(sandbox);
        this.jobLog = Objects.requireNonNull(jobLog);
        this.events = new LenderEvents(listener != null ? listener : new LenderListener() {
        });
        this.ownerPause = new OwnerPause(sandbox.settings().idle(), jobs, connection, events,
                new OwnerPause.Lender() {
                    @Override
                    public boolean isLending() {
                        return lending;
                    }

                    @Override
                    public void registerAgain() {
                        register();
                    }
                });
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
                    jobs.abandonAll("the connection is closed");
                    stopLending(new IOException("the connection is closed: " + detail));
                }
            }

            @Override
            public void serverShuttingDown(String reason) {
                events.log("server shutting down: " + reason);
            }
        };
    }

    /**
     * What this lender offers, as sent with {@code MML}: its limits and, per environment, what
     * the last inventory probe found (or the python version alone, before the first one).
     */
    public LenderCapabilities capabilities() {
        LenderSettings s = sandbox.settings();
        List<PythonEnvironment> inv = inventory;
        if (inv == null) {
            inv = sandbox.environments().stream()
                    .map(e -> PythonEnvironment.unknown(e.python().version())).toList();
        }
        return new LenderCapabilities(inv.get(0).pythonVersion(),
                Runtime.getRuntime().availableProcessors(), physicalMemoryMb(), s.maxJobs(),
                s.cpuSeconds(), s.memoryMb(), s.timeoutSeconds(), s.maxOutputMb(),
                sandbox.description(), s.whenIdle(), inv);
    }

    /** What each environment offers, as last probed; null before the first probe. */
    public List<PythonEnvironment> inventory() {
        return inventory;
    }

    /**
     * How often, while lending, the environments' package directories are checked for a change
     * (the owner installed or removed a package); a change makes the copies of environments
     * outside /usr again, probes them and offers them anew. Default 60 s; takes effect at the
     * next {@link #start}.
     */
    public void checkInventoryEvery(Duration every) {
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("inventory check every " + every);
        }
        inventoryCheck = every;
    }

    /**
     * Probes every environment in the sandbox ({@link Sandbox#probeInventory}); blocks for as
     * long as that takes (a fraction of a second per environment).
     */
    private List<PythonEnvironment> probe() {
        List<PythonEnvironment> out = new ArrayList<>();
        for (LenderEnvironment e : sandbox.environments()) {
            try {
                out.add(sandbox.probeInventory(e.index()));
            } catch (SandboxException x) {
                List<PythonEnvironment> last = inventory;
                if (last == null) {
                    throw new CompletionException(x); // the first offer needs a working probe
                }
                // a passing failure must not end lending: offer what was offered before
                events.log("cannot ask the environments what they offer now (" + x.getMessage()
                        + "); offering what they offered before");
                return last;
            }
        }
        for (int i = 0; i < out.size(); i++) {
            events.log("environment " + (i + 1) + ": " + sandbox.environments().get(i).describe()
                    + ", " + out.get(i).modules().size() + " modules, "
                    + out.get(i).distributions().size() + " distributions");
        }
        inventory = List.copyOf(out);
        offeredFingerprint = sandbox.packageFingerprint();
        return inventory;
    }

    /**
     * The watcher's check: when the environments' packages changed since the last offer, the
     * copies are made again and the lender offers itself anew: {@code WBL} without giving jobs
     * back (they run on), then {@code MML} with the new inventory.
     */
    private void checkInventory() {
        if (!lending || withdrawing || reoffering
                || sandbox.packageFingerprint().equals(offeredFingerprint)) {
            return;
        }
        reoffering = true;
        events.log("the environments' packages changed; offering them again");
        try {
            sandbox.refreshCopies();
        } catch (IOException e) {
            events.log("cannot copy the environments again (" + e.getMessage()
                    + "); the old copies stay in use");
            offeredFingerprint = sandbox.packageFingerprint();
            reoffering = false;
            return;
        }
        connection.call(new Message.Withdraw(false))
                .thenCompose(r -> lending ? register() : CompletableFuture.completedFuture(""))
                .whenComplete((p, e) -> {
                    reoffering = false;
                    if (e != null && lending) {
                        LOG.log(Level.INFO, "offering the environments again failed", e);
                        events.log("offering the environments again failed: " + e.getMessage());
                    }
                });
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

    /**
     * The last record of this lender's account the server sent ({@code CRD}): credit, results,
     * standing; null before the first. Any thread.
     */
    public idle.shared.model.LenderCredit credit() {
        return creditLog.last();
    }

    /** The pseudonym runners see for this machine; empty before {@link #start}. */
    public String pseudonym() {
        return pseudonym;
    }

    /** True while paused because the owner needs the machine. */
    public boolean isPausedForOwner() {
        return ownerPause.isBusy();
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
        ownerPause.open();
        connection.setServerRequestHandler(this::onServerRequest);
        connection.addListener(connectionListener);
        CompletableFuture<String> f = register();
        f.whenComplete((p, e) -> {
            if (e != null) {
                stopLending(null);
                return;
            }
            if (sandbox.settings().whenIdle()) {
                ownerPause.watch();
            }
            long every = inventoryCheck.toMillis();
            inventoryWatch = WATCH.scheduleWithFixedDelay(this::checkInventoryQuietly, every,
                    every, TimeUnit.MILLISECONDS);
        });
        return f;
    }

    /**
     * Registers with the server: first probes what the environments offer (off the caller's
     * thread: the environments may have changed since the last time), then sends {@code MML}.
     */
    private CompletableFuture<String> register() {
        return CompletableFuture.supplyAsync(this::probe, PROBES)
                .thenCompose(inv -> connection.call(new Message.MakeLender(capabilities())))
                .thenApply(r -> {
            String p = r instanceof Result.Text t ? t.text() : "";
            pseudonym = p;
            events.log("lending as " + (p.isEmpty() ? "(no pseudonym)" : p) + " to "
                    + connection.address() + ": " + sandbox.description() + ", up to "
                    + sandbox.settings().maxJobs() + " job(s) at once");
            events.started(p);
            if (ownerPause.isBusy()) {
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
        events.log(returnJobs ? "withdrawing; giving back " + jobs.size() + " running job(s)"
                : "withdrawing; finishing " + jobs.size() + " running job(s) first");
        CompletableFuture<Void> done = new CompletableFuture<>();
        connection.call(new Message.Withdraw(returnJobs)).whenComplete((r, e) -> {
            if (e != null) {
                LOG.log(Level.FINE, "WBL failed", e);
            }
            if (returnJobs || e != null) {
                jobs.abandonAll("given back");
            }
            jobs.allDone().whenComplete((x, y) -> {
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
            jobs.abandonAll("closing");
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
        ownerPause.close();
        java.util.concurrent.ScheduledFuture<?> w = inventoryWatch;
        if (w != null) {
            w.cancel(false);
        }
        events.log(error == null ? "stopped lending" : "stopped lending: " + error.getMessage());
        events.stopped(error);
    }

    private void checkInventoryQuietly() {
        try {
            checkInventory();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log and keep watching
            LOG.log(Level.WARNING, "checking the environments failed", e);
            reoffering = false;
        }
    }

    private void fail(Throwable e) {
        jobs.abandonAll("error");
        stopLending(e);
    }

    // ---- server requests -------------------------------------------------------------------

    private void onServerRequest(ServerConnection c, int id, Message m) {
        switch (m) {
            case Message.Execute x -> onExecute(id, x);
            case Message.Credit cr -> {
                events.creditChanged(cr.credit());
                String line = creditLog.line(cr.credit(), System.nanoTime());
                if (line != null) {
                    events.log(line);
                }
            }
            case Message.Cancel cn -> {
                JobRun j = jobs.get(cn.jobId());
                try {
                    if (j == null) {
                        c.reply(id, new Message.Failure(FailureKind.NOT_FOUND,
                                "job " + cn.jobId() + " is not running here"));
                    } else {
                        events.log("job " + cn.jobId() + ": cancel requested");
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
        } else if (ownerPause.isBusy()) {
            refusal = "this lender's owner is using the machine";
        } else if (jobs.size() >= sandbox.settings().maxJobs()) {
            refusal = "this lender already runs " + jobs.size() + " job(s)";
        } else if (jobs.contains(x.jobId())) {
            refusal = "job " + x.jobId() + " already runs here";
        } else if (x.environment() >= sandbox.environments().size()) {
            refusal = "this lender has no environment " + (x.environment() + 1);
        } else {
            refusal = checkNames(x);
        }
        JobRun job = refusal != null ? null
                : new JobRun(id, x, connection, sandbox, jobLog, jobs, events);
        if (job != null && !jobs.add(job)) {
            refusal = "job " + x.jobId() + " already runs here";
        }
        if (refusal != null) {
            try {
                connection.reply(id, new Message.Failure(FailureKind.WRONG_STATE, refusal));
            } catch (IOException ignored) {
                // dropped anyway
            }
            return;
        }
        try {
            job.start();
        } catch (IOException e) {
            jobs.remove(job);
        }
    }

    private static String checkNames(Message.Execute x) {
        return FileNames.checkJobFiles(x.scriptName(),
                x.inputs().stream().map(InputFile::name).toList());
    }

    // ---- when idle -------------------------------------------------------------------------

    /**
     * The owner needs the machine (the when-idle monitor calls this, and so may a "pause" button):
     * running jobs are stopped with SIGSTOP, the server hears {@code BSY} and sends no new jobs,
     * and if this lasts longer than the policy's {@code giveBackAfter} the jobs are given back
     * ({@code WBL} with returnJobs) to run elsewhere. See {@link OwnerPause}.
     */
    public void pauseForOwner(String reason) {
        ownerPause.pause(reason);
    }

    /** The machine is free again: paused jobs continue (SIGCONT) and new ones are taken. */
    public void resumeAfterOwner(String reason) {
        ownerPause.resume(reason);
    }

    // ---- helpers ---------------------------------------------------------------------------

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
