package idle.server.dispatch;

import idle.shared.protocol.Code;
import idle.server.audit.AuditAction;
import idle.db.Database;
import idle.db.Transaction;
import idle.db.entity.Job;
import idle.server.ServerConfig;
import idle.server.audit.AuditLog;
import idle.server.auth.Pseudonyms;
import idle.server.net.Peer;
import idle.server.relay.Follower;
import idle.server.relay.JobFeed;
import idle.server.relay.OutputSpool;
import idle.server.store.OutputRetention;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobDetail;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.PoolStatus;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The job service: submission, the fair queue, dispatch to lenders, results, cancellation,
 * retries, and the runner's views of its jobs. It speaks to clients only through {@link Peer}.
 *
 * <p>Concurrency: one lock guards the in-memory state (queue, lenders, active jobs); nothing
 * under it blocks (no I/O; sends only queue frames). Each change is handed to the
 * {@link StoreWriter} while the lock is held, so the database sees changes in the order they were
 * made; what a change causes on the network (SCF to the runner, EXF to a lender, JST events)
 * happens in the write's {@code committed} callback, i.e. only once it is durable.
 */
public final class Coordinator {
    private static final Logger LOG = Logger.getLogger(Coordinator.class.getName());

    private final ServerConfig config;
    private final Database db;
    private final StoreWriter writer;
    private final AuditLog audit;
    private final Pseudonyms pseudonyms;
    private final Path spoolRoot;
    private final Path inputsRoot;
    /** How long a lender may take to end a cancelled job before the server ends it alone. */
    private final java.time.Duration cancelGrace;
    /** Deletes inputs and old outputs of ended jobs (never of an active one). */
    private final OutputRetention retention;
    /** Deadlines (cancel confirmations); one daemon thread, stopped with the coordinator. */
    private final java.util.concurrent.ScheduledExecutorService timers =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("idle-coordinator-timer").daemon(true).factory());

    private final ReentrantLock lock = new ReentrantLock();
    private final Scheduler scheduler = new Scheduler();
    private final Map<Long, ActiveJob> active = new HashMap<>();
    private final Map<Peer, LenderHandle> lenders = new HashMap<>();
    private int running;
    /** Set when the server shuts down: lenders that leave keep their jobs RUNNING in the
     *  database, and the next start re-queues them (attempt + 1). */
    private boolean stopping;

    public Coordinator(ServerConfig config, Database db, StoreWriter writer, AuditLog audit,
            Pseudonyms pseudonyms) {
        this.config = config;
        this.db = db;
        this.writer = writer;
        this.audit = audit;
        this.pseudonyms = pseudonyms;
        this.spoolRoot = config.dataDir().resolve("spool");
        this.inputsRoot = config.dataDir().resolve("inputs");
        // the patience we have with a silent connection is the patience we have with a lender
        // that does not confirm a kill: both mean it no longer does what it is told
        this.cancelGrace = config.heartbeatTimeout();
        this.retention = new OutputRetention(spoolRoot, inputsRoot, config.outputRetention(),
                this::isActive, java.time.Clock.systemUTC());
    }

    /** What ended jobs left on disk, and when it goes; started by the server after recovery. */
    public OutputRetention retention() {
        return retention;
    }

    /** Whether a job is queued or running (or being stored). */
    public boolean isActive(long jobId) {
        lock.lock();
        try {
            return active.containsKey(jobId);
        } finally {
            lock.unlock();
        }
    }

    public ServerConfig config() {
        return config;
    }

    public Pseudonyms pseudonyms() {
        return pseudonyms;
    }

    // ---- recovery ---------------------------------------------------------------------------

    /**
     * Loads the jobs a previous run left queued or running: running ones go back to the queue
     * (their next run is attempt + 1) or become LOST when no attempts are left. One transaction;
     * reads only the active jobs (an index on the state), so a long history does not slow it.
     */
    public int[] recover() {
        long now = System.currentTimeMillis();
        Map<Long, byte[]> scripts = new HashMap<>();
        List<Job> rows = db.inTransaction(tx -> {
            // both read the open-jobs index (JOB_OPEN_IX), never the ended history
            List<Job> found = new ArrayList<>(tx.jobs().inStates(EnumSet.of(JobState.QUEUED)));
            found.addAll(tx.jobs().inStates(EnumSet.of(JobState.RUNNING)));
            found.sort(java.util.Comparator.comparingLong(Job::getId));
            int requeued = 0;
            int lost = 0;
            for (Job j : found) {
                if (j.getState() == JobState.RUNNING) {
                    if (j.getAttempts() >= config.maxAttempts()) {
                        j.setState(JobState.LOST);
                        j.setFinishedAt(now);
                        j.setFailureReason("the server stopped while it ran and no attempts are "
                                + "left (" + j.getAttempts() + " of " + config.maxAttempts() + ")");
                        lost++;
                    } else {
                        j.setState(JobState.QUEUED);
                        j.setFailureReason("re-queued after a server restart");
                        requeued++;
                    }
                }
            }
            for (Job j : found) {
                if (j.getState() == JobState.QUEUED) {
                    // the listing left the script in the database (never set it on the managed
                    // row: that would write it back)
                    scripts.put(j.getId(), tx.jobs().scriptOf(j.getId()).orElse(new byte[0]));
                }
            }
            audit.recordIn(tx, null, AuditAction.RECOVER, 0, null, Code.SCF, found.size()
                    + " active jobs; " + requeued + " running re-queued; " + lost + " lost", null);
            return found;
        });
        int queued = 0;
        int lost = 0;
        lock.lock();
        try {
            for (Job j : rows) {
                if (j.getState() != JobState.QUEUED) {
                    lost++;
                    continue;
                }
                ActiveJob a = new ActiveJob(j.getOwnerName(), j.getScriptName(),
                        scripts.get(j.getId()),
                        j.getScriptSha256(), j.getArgs(), j.getInputNames(), j.getNeeds(),
                        j.getSubmittedAt());
                a.id = j.getId();
                a.state = JobState.QUEUED;
                a.attempts = j.getAttempts();
                a.reason = j.getFailureReason() == null ? "" : j.getFailureReason();
                a.lenderPseudonym = j.getLenderPseudonym() == null ? "" : j.getLenderPseudonym();
                a.startedAt = j.getStartedAt();
                a.feed = new JobFeed(a.id, a.summary(), null);
                active.put(a.id, a);
                scheduler.enqueue(a, false);
                queued++;
            }
        } finally {
            lock.unlock();
        }
        LOG.info("recovered " + queued + " queued jobs" + (lost > 0 ? ", " + lost + " lost" : ""));
        return new int[] {queued, lost};
    }

    // ---- submission -------------------------------------------------------------------------

    /** RCS#n: validates, stores durably, answers SCF (after commit), NLA or FLD. */
    public void submit(Peer runner, int n, Message.RunScript rs) {
        String user = runner.user();
        String remote = runner.remoteAddress();
        Failure bad = validate(rs);
        if (bad != null) {
            runner.send(n, new Message.Failure(bad.kind, bad.reason));
            audit.record(user, AuditAction.RCS, n, null, Code.FLD, bad.reason, remote);
            return;
        }
        List<String> inputNames = new ArrayList<>();
        for (InputFile f : rs.inputs()) {
            inputNames.add(f.name());
        }
        ActiveJob job = new ActiveJob(user, rs.scriptName(), rs.script(), rs.scriptSha256(),
                rs.args(), inputNames, rs.needs(), System.currentTimeMillis());
        String nla = null;
        lock.lock();
        try {
            nla = scheduler.whyNobodyCan(rs.needs());
            LenderHandle lender = nla == null ? scheduler.freeLenderFor(rs.needs()) : null;
            if (nla == null && lender == null && rs.waitPolicy() == WaitPolicy.NLA_IF_BUSY) {
                nla = "all " + scheduler.lenderCount() + " online lenders that could run it are "
                        + "busy (" + scheduler.queued() + " jobs queued)";
            }
            if (nla == null) {
                if (lender != null) {
                    assign(job, lender);
                } else {
                    job.reason = "waiting for a free lender";
                }
                writer.submit(new InsertOp(job, runner, n, rs.inputs(), job.summary()));
            }
        } finally {
            lock.unlock();
        }
        if (nla != null) {
            runner.send(n, new Message.NoLenders(nla));
            audit.record(user, AuditAction.RCS, n, null, Code.NLA, nla, remote);
        }
    }

    private record Failure(FailureKind kind, String reason) {
    }

    private Failure validate(Message.RunScript rs) {
        if (rs.script().length > config.maxScriptBytes()) {
            return new Failure(FailureKind.LIMIT, "script is " + size(rs.script().length)
                    + "; the limit is " + size(config.maxScriptBytes()));
        }
        List<String> inputNames = new ArrayList<>(rs.inputs().size());
        long total = 0;
        for (InputFile f : rs.inputs()) {
            inputNames.add(f.name());
            total += f.data().length;
        }
        String nameProblem = FileNames.checkJobFiles(rs.scriptName(), inputNames);
        if (nameProblem != null) {
            return new Failure(FailureKind.INVALID, nameProblem);
        }
        if (total > config.maxInputBytes()) {
            return new Failure(FailureKind.LIMIT, "input files are " + size(total)
                    + " in all; the limit is " + size(config.maxInputBytes()));
        }
        if (rs.args().size() > 1000) {
            return new Failure(FailureKind.LIMIT, rs.args().size() + " arguments; the limit is 1000");
        }
        return null;
    }

    /** "2.1 MiB", "512 KiB", "300 bytes". */
    public static String size(long bytes) {
        if (bytes >= 1 << 20) {
            double m = bytes / 1048576.0;
            return (m == Math.rint(m) ? String.valueOf((long) m) : String.format("%.1f", m))
                    + " MiB";
        }
        if (bytes >= 1 << 10) {
            double k = bytes / 1024.0;
            return (k == Math.rint(k) ? String.valueOf((long) k) : String.format("%.1f", k))
                    + " KiB";
        }
        return bytes + " bytes";
    }

    /** Marks {@code job} as running on {@code lender} (under the lock). */
    private void assign(ActiveJob job, LenderHandle lender) {
        job.state = JobState.RUNNING;
        job.attempts++;
        job.lender = lender;
        job.lenderPseudonym = lender.pseudonym;
        job.startedAt = System.currentTimeMillis();
        job.finishedAt = 0;
        job.exitCode = null;
        job.limit = null;
        job.reason = "";
        job.serverLimit = null;
        job.serverLimitDetail = null;
        job.files.clear();
        job.outputBytes = 0;
        job.outputSha256 = "";
        job.exchangeId = lender.peer.nextServerId();
        lender.running.put(job, job.exchangeId);
        running++;
        scheduler.refresh(lender);
    }

    /** Releases a job's lender slot (under the lock). */
    private void unassign(ActiveJob job) {
        LenderHandle l = job.lender;
        if (l != null) {
            if (l.running.remove(job) != null) {
                running--;
            }
            scheduler.refresh(l);
        }
        job.lender = null;
    }

    private final class InsertOp implements StoreWriter.Op {
        private final ActiveJob job;
        private final Peer runner;
        private final int n;
        private final List<InputFile> inputs;
        private final JobSummary summary;
        private Job row;

        InsertOp(ActiveJob job, Peer runner, int n, List<InputFile> inputs, JobSummary summary) {
            this.job = job;
            this.runner = runner;
            this.n = n;
            this.inputs = inputs;
            this.summary = summary;
        }

        @Override
        public void apply(Transaction tx) {
            Job j = new Job(job.owner, job.scriptName, job.scriptSha256, job.script, job.args,
                    job.inputNames, job.needs, job.submittedAt);
            j.setState(summary.state());
            j.setAttempts(summary.attempts());
            j.setLenderPseudonym(summary.lender().isEmpty() ? null : summary.lender());
            j.setStartedAt(summary.startedAt());
            j.setFailureReason(summary.reason().isEmpty() ? null : summary.reason());
            tx.jobs().insert(j);
            if (!inputs.isEmpty()) {
                writeInputs(j.getId(), inputs);
            }
            audit.recordIn(tx, job.owner, AuditAction.RCS, n, j.getId(), Code.SCF, job.scriptName + " "
                    + job.script.length + " bytes, " + inputs.size() + " inputs",
                    runner.remoteAddress());
            row = j;
        }

        @Override
        public void committed() {
            long id = row.getId();
            List<Runnable> after = new ArrayList<>();
            JobSummary accepted;
            lock.lock();
            try {
                job.id = id;
                JobSummary s = new JobSummary(id, summary.scriptName(), summary.state(), null,
                        null, summary.reason(), summary.lender(), summary.attempts(),
                        summary.submittedAt(), summary.startedAt(), 0, 0);
                accepted = s;
                job.feed = new JobFeed(id, s, null);
                active.put(id, job);
                if (job.state == JobState.QUEUED) {
                    scheduler.enqueue(job, false);
                    after.addAll(dispatchLocked());
                } else if (job.state == JobState.RUNNING && job.lender != null) {
                    LenderHandle l = job.lender;
                    int ex = job.exchangeId;
                    int attempt = job.attempts;
                    if (l.gone) {
                        after.addAll(lenderLostLocked(job, "its lender disconnected"));
                    } else {
                        after.add(() -> sendExecute(job, l, ex, attempt));
                    }
                }
            } finally {
                lock.unlock();
            }
            String note = accepted.state() == JobState.RUNNING ? "running on " + accepted.lender()
                    : accepted.reason();
            runner.send(n, new Message.Success(new Result.JobAccepted(id, accepted.state(), note)));
            new Follower(runner, n, job.feed, 0, true, job.feed.snapshot().version(), null).start();
            after.forEach(Runnable::run);
        }

        @Override
        public void failed(RuntimeException e) {
            LOG.log(Level.SEVERE, "could not store a job of " + job.owner, e);
            List<Runnable> after;
            lock.lock();
            try {
                unassign(job);
                job.state = JobState.FAILED;
                after = dispatchLocked();
            } finally {
                lock.unlock();
            }
            runner.send(n, new Message.Failure(FailureKind.INTERNAL,
                    "the job could not be stored: " + e.getMessage()));
            after.forEach(Runnable::run);
        }
    }

    private void writeInputs(long id, List<InputFile> inputs) {
        try {
            Path dir = inputsRoot.resolve(Long.toString(id));
            Files.createDirectories(dir);
            for (InputFile f : inputs) {
                Files.write(dir.resolve(f.name()), f.data(), StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                        StandardOpenOption.SYNC);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot store input files of job " + id, e);
        }
    }

    private List<InputFile> readInputs(ActiveJob job) throws IOException {
        List<InputFile> out = new ArrayList<>();
        Path dir = inputsRoot.resolve(Long.toString(job.id));
        for (String name : job.inputNames) {
            byte[] data = Files.readAllBytes(dir.resolve(name));
            out.add(new InputFile(name, data, idle.shared.protocol.Sha256.hex(data)));
        }
        return out;
    }

    // ---- dispatch ---------------------------------------------------------------------------

    /**
     * Plans assignments of queued jobs to free lenders and queues their RUNNING writes; returns
     * nothing to run now (the EXF goes out from each write's commit callback). Under the lock.
     */
    private List<Runnable> dispatchLocked() {
        if (stopping) {
            return List.of();
        }
        scheduler.plan(a -> {
            assign(a.job(), a.lender());
            ActiveJob job = a.job();
            LenderHandle l = a.lender();
            int ex = job.exchangeId;
            int attempt = job.attempts;
            writer.submit(new UpdateOp(job, null, () -> sendExecute(job, l, ex, attempt)));
        });
        return List.of();
    }

    /** A write of a job's mutable fields; publishes the summary taken with it after commit. */
    private final class UpdateOp implements StoreWriter.Op {
        private final ActiveJob job;
        private final ActiveJob.JobRow row;
        private final JobSummary summary;
        /** The request or event this write completes, audited with it; null for none. */
        private final AuditAction auditAction;
        private final Runnable after;
        private String auditUser;
        private long auditRequest;
        private String auditDetail;
        private String auditRemote;

        UpdateOp(ActiveJob job, AuditAction auditAction, Runnable after) {
            this.job = job;
            this.row = job.row();
            this.summary = job.summary();
            this.auditAction = auditAction;
            this.after = after;
        }

        UpdateOp audit(String user, long requestId, String detail, String remote) {
            this.auditUser = user;
            this.auditRequest = requestId;
            this.auditDetail = detail;
            this.auditRemote = remote;
            return this;
        }

        @Override
        public void apply(Transaction tx) {
            // the row exists (its insert committed before the job got its id): write without
            // reading it first
            Job j = new Job();
            j.setId(row.id());
            j.setState(row.state());
            j.setAttempts(row.attempts());
            j.setLenderPseudonym(row.lenderPseudonym().isEmpty() ? null : row.lenderPseudonym());
            j.setStartedAt(row.startedAt());
            j.setFinishedAt(row.finishedAt());
            j.setExitCode(row.exitCode());
            j.setLimitHit(row.limit());
            j.setFailureReason(row.reason().isEmpty() ? null : row.reason());
            j.setOutputBytes(row.outputBytes());
            j.setOutputSha256(row.outputSha256().isEmpty() ? null : row.outputSha256());
            j.setCpuMillis(row.cpuMillis());
            j.setOutputFiles(row.files());
            tx.jobs().writeProgress(j);
            if (auditAction != null) {
                audit.recordIn(tx, auditUser, auditAction, auditRequest, row.id(),
                        Code.SCF, auditDetail, auditRemote);
            }
        }

        @Override
        public void committed() {
            JobFeed feed = job.feed;
            if (feed != null) {
                if (summary.state() == JobState.RUNNING
                        && summary.attempts() != feed.summary().attempts()) {
                    try {
                        feed.newAttempt(null);
                    } catch (IOException e) {
                        LOG.log(Level.WARNING, "could not discard the old spool of " + job, e);
                    }
                }
                feed.publish(summary);
                if (summary.state().isTerminal()) {
                    OutputSpool s = feed.spool();
                    if (s != null) {
                        try {
                            s.seal();
                            if (!feed.hasFollowers()) {
                                s.close();
                            }
                        } catch (IOException e) {
                            LOG.log(Level.FINE, "closing spool", e);
                        }
                    }
                }
            }
            if (after != null) {
                after.run();
            }
        }
    }

    /** Sends EXF for the committed attempt, if it is still the current one. */
    private void sendExecute(ActiveJob job, LenderHandle lender, int exchangeId, int attempt) {
        lock.lock();
        try {
            if (job.lender != lender || job.attempts != attempt || job.state != JobState.RUNNING) {
                return;
            }
            if (job.cancelRequested) {
                // cancelled between the dispatch decision and its commit: never start it
                unassign(job);
                terminalLocked(job, JobState.CANCELLED, null, null, "cancelled by its owner");
                dispatchLocked();
                return;
            }
        } finally {
            lock.unlock();
        }
        Runnable send = () -> {
            List<InputFile> inputs;
            try {
                inputs = job.inputNames.isEmpty() ? List.of() : readInputs(job);
            } catch (IOException e) {
                LOG.log(Level.SEVERE, "cannot read the inputs of " + job, e);
                finishWith(job, lender, attempt, new JobOutcome.Error("the server lost its "
                        + "input files: " + e.getMessage()), idle.shared.model.ResourceUse.NONE);
                return;
            }
            LenderRun run = new LenderRun(this, job, lender, exchangeId, attempt);
            lender.peer.open(exchangeId, run);
            Message.Execute exf = new Message.Execute(job.id, attempt, job.scriptName, job.script,
                    job.scriptSha256, job.args, inputs, job.needs);
            lender.peer.send(exchangeId, exf);
        };
        if (job.inputNames.isEmpty()) {
            send.run();
        } else {
            Thread.ofVirtual().name("idle-exf-" + job.id).start(send);
        }
    }

    // ---- lender events ----------------------------------------------------------------------

    /** MML#n. */
    public void makeLender(Peer peer, int n, LenderCapabilities caps) {
        String pseudonym = pseudonyms.of(peer.user());
        lock.lock();
        try {
            LenderHandle old = lenders.get(peer);
            if (old != null && !old.withdrawn) {
                peer.send(n, new Message.Illegal("this connection is already a lender"));
                audit.record(peer.user(), AuditAction.MML, n, null, Code.ILR, "already a lender",
                        peer.remoteAddress());
                return;
            }
            LenderHandle h = new LenderHandle(peer, peer.user(), pseudonym, caps);
            if (old != null) {
                h.running.putAll(old.running);
                old.running.keySet().forEach(j -> j.lender = h);
                scheduler.removeLender(old);
            }
            lenders.put(peer, h);
            scheduler.addLender(h);
            dispatchLocked();
        } finally {
            lock.unlock();
        }
        peer.send(n, new Message.Success(new Result.Text(pseudonym)));
        audit.record(peer.user(), AuditAction.MML, n, null, Code.SCF, caps.maxJobs() + " slots, python "
                + caps.pythonVersion() + ", " + caps.sandbox(), peer.remoteAddress());
        LOG.info(() -> "lender " + pseudonym + " online with " + caps.maxJobs() + " slots");
    }

    /** True when the connection is an active lender. */
    public boolean isLender(Peer peer) {
        lock.lock();
        try {
            LenderHandle h = lenders.get(peer);
            return h != null && !h.gone;
        } finally {
            lock.unlock();
        }
    }

    /** WBL#n: no new jobs; with returnJobs the running ones go back to the queue. */
    public void withdraw(Peer peer, int n, boolean returnJobs) {
        lock.lock();
        try {
            LenderHandle h = lenders.get(peer);
            h.withdrawn = true;
            scheduler.refresh(h);
            if (returnJobs) {
                for (ActiveJob j : new ArrayList<>(h.running.keySet())) {
                    if (j.id == 0) {
                        continue;
                    }
                    unassign(j);
                    if (j.state.isTerminal()) {
                        continue; // ended without its lender (cancelOverdue)
                    }
                    if (j.cancelRequested) {
                        terminalLocked(j, JobState.CANCELLED, null, null,
                                "cancelled by its owner");
                    } else {
                        j.state = JobState.QUEUED;
                        j.reason = "its lender withdrew; re-queued";
                        scheduler.enqueue(j, true);
                        writer.submit(new UpdateOp(j, null, null));
                    }
                }
            }
            dispatchLocked();
        } finally {
            lock.unlock();
        }
        peer.send(n, new Message.Success(new Result.Empty()));
        audit.record(peer.user(), AuditAction.WBL, n, null, Code.SCF, returnJobs ? "jobs returned" : "",
                peer.remoteAddress());
    }

    /** BSY#n. */
    public void availability(Peer peer, int n, boolean available, String reason) {
        lock.lock();
        try {
            LenderHandle h = lenders.get(peer);
            h.available = available;
            scheduler.refresh(h);
            dispatchLocked();
        } finally {
            lock.unlock();
        }
        peer.send(n, new Message.Success(new Result.Empty()));
        audit.record(peer.user(), AuditAction.BSY, n, null, Code.SCF, (available ? "available" : "busy")
                + (reason.isEmpty() ? "" : ": " + reason), peer.remoteAddress());
    }

    /** The server is shutting down: no more dispatch; running jobs stay as they are. */
    public void stop() {
        lock.lock();
        try {
            stopping = true;
        } finally {
            lock.unlock();
        }
        timers.shutdownNow();
        retention.close();
    }

    /** The connection is gone: if it was a lender, its running jobs go back to the queue. */
    public void peerGone(Peer peer) {
        LenderHandle h;
        int lost;
        lock.lock();
        try {
            h = lenders.remove(peer);
            if (h == null) {
                return;
            }
            h.gone = true;
            scheduler.removeLender(h);
            lost = h.running.size();
            if (stopping) {
                return;
            }
            for (ActiveJob j : new ArrayList<>(h.running.keySet())) {
                if (j.id == 0) {
                    continue; // its insert is still being written; the commit sees h.gone
                }
                lenderLostLocked(j, "its lender disconnected");
            }
            dispatchLocked();
        } finally {
            lock.unlock();
        }
        audit.record(h.user, AuditAction.LENDER_LOST, 0, null, Code.SCF, lost
                + " running jobs re-queued", peer.remoteAddress());
        LOG.info(() -> "lender " + h.pseudonym + " went offline");
    }

    /** A job's lender vanished: re-queue it (front of its owner's queue) or give up. Locked. */
    private List<Runnable> lenderLostLocked(ActiveJob j, String why) {
        unassign(j);
        if (j.state.isTerminal()) {
            return List.of(); // ended without its lender (cancelOverdue): nothing to re-run
        }
        if (j.cancelRequested) {
            terminalLocked(j, JobState.CANCELLED, null, null, "cancelled by its owner");
        } else if (j.attempts >= config.maxAttempts()) {
            terminalLocked(j, JobState.LOST, null, null, why + "; gave up after "
                    + j.attempts + (j.attempts == 1 ? " attempt" : " attempts"));
        } else {
            j.state = JobState.QUEUED;
            j.reason = why + "; re-queued (attempt " + j.attempts + " of " + config.maxAttempts()
                    + " lost)";
            scheduler.enqueue(j, true);
            writer.submit(new UpdateOp(j, null, null));
        }
        return List.of();
    }

    /** Moves a job to a terminal state and queues its write; cleanup after commit. Locked. */
    private void terminalLocked(ActiveJob j, JobState state, Integer exit, Limit limit,
            String reason) {
        terminalLocked(j, state, exit, limit, reason, null);
    }

    private void terminalLocked(ActiveJob j, JobState state, Integer exit, Limit limit,
            String reason, UpdateOpCustomizer custom) {
        j.state = state;
        j.exitCode = exit;
        j.limit = limit;
        j.reason = reason == null ? "" : reason;
        j.finishedAt = System.currentTimeMillis();
        UpdateOp op = new UpdateOp(j, custom == null ? null : custom.action, () -> {
            lock.lock();
            try {
                active.remove(j.id);
            } finally {
                lock.unlock();
            }
            if (custom != null && custom.after != null) {
                custom.after.run();
            }
        });
        if (custom != null) {
            op.audit(custom.user, custom.requestId, custom.detail, custom.remote);
        }
        writer.submit(op);
    }

    private record UpdateOpCustomizer(AuditAction action, String user, long requestId, String detail,
            String remote, Runnable after) {
    }

    // ---- called by LenderRun (a lender's frames for one attempt) --------------------------

    /** Whether {@code attempt} of {@code job} on {@code lender} is still the current one. */
    boolean isCurrent(ActiveJob job, LenderHandle lender, int attempt) {
        lock.lock();
        try {
            return job.lender == lender && job.attempts == attempt
                    && job.state == JobState.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    /** The lender could not start the attempt (FLD#s): back to the queue. */
    void refused(ActiveJob job, LenderHandle lender, int attempt, String reason) {
        lock.lock();
        try {
            if (job.lender != lender || job.attempts != attempt) {
                return;
            }
            lenderLostLocked(job, "a lender could not start it (" + reason + ")");
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Stops a running job because of a server-side limit (output size). */
    void stopForLimit(ActiveJob job, LenderHandle lender, int attempt, Limit limit,
            String detail) {
        lock.lock();
        try {
            if (job.lender != lender || job.attempts != attempt || job.serverLimit != null) {
                return;
            }
            job.serverLimit = limit;
            job.serverLimitDetail = detail;
        } finally {
            lock.unlock();
        }
        int s2 = lender.peer.nextServerId();
        lender.peer.send(s2, new Message.Cancel(job.id));
    }

    /** FIN#s of the current attempt: the job's final state, durable before SCF#s and JST. */
    void finished(LenderRun run, Message.Finished fin, int exchangeId) {
        finishWith(run.job, run.lender, run.attempt, fin.outcome(), fin.use(), run, exchangeId);
    }

    private void finishWith(ActiveJob job, LenderHandle lender, int attempt, JobOutcome outcome,
            idle.shared.model.ResourceUse use) {
        finishWith(job, lender, attempt, outcome, use, null, 0);
    }

    private void finishWith(ActiveJob job, LenderHandle lender, int attempt, JobOutcome outcome,
            idle.shared.model.ResourceUse use, LenderRun run, int exchangeId) {
        lock.lock();
        try {
            if (job.lender != lender || job.attempts != attempt
                    || job.state != JobState.RUNNING) {
                if (job.lender == lender && job.attempts == attempt && job.state.isTerminal()) {
                    // the late FIN of an attempt ended without its lender (cancelOverdue)
                    unassign(job);
                    dispatchLocked();
                }
                if (run != null) {
                    lender.peer.send(exchangeId, new Message.Success(new Result.Empty()));
                }
                return;
            }
            unassign(job);
            lender.jobsDone++;
            if (run != null) {
                job.outputBytes = run.outputBytes();
                job.outputSha256 = run.outputSha256();
                job.files.clear();
                job.files.addAll(run.files());
            }
            job.cpuMillis = use.cpuMillis();
            JobState state = outcome.state();
            Integer exit = null;
            Limit limit = null;
            String reason;
            switch (outcome) {
                case JobOutcome.Succeeded s -> {
                    exit = 0;
                    reason = "";
                }
                case JobOutcome.Failed f -> {
                    exit = f.exitCode();
                    reason = "exit code " + f.exitCode();
                }
                case JobOutcome.Cancelled c -> reason = "cancelled by its owner";
                case JobOutcome.LimitExceeded l -> {
                    limit = l.limit();
                    reason = l.limit().label() + " limit: " + l.detail();
                }
                case JobOutcome.Error e -> reason = "the lender could not run it: " + e.reason();
            }
            if (job.serverLimit != null) {
                state = JobState.LIMIT_EXCEEDED;
                limit = job.serverLimit;
                reason = job.serverLimitDetail;
                exit = null;
            }
            String detail = state + (exit != null ? " exit " + exit : "") + ", "
                    + size(job.outputBytes) + " output, " + use.wallMillis() + " ms";
            Runnable ack = run == null ? null
                    : () -> lender.peer.send(exchangeId, new Message.Success(new Result.Empty()));
            terminalLocked(job, state, exit, limit, reason, new UpdateOpCustomizer(AuditAction.FIN,
                    lender.user, exchangeId, detail, lender.peer.remoteAddress(), ack));
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    Path spoolDir(long jobId) {
        return spoolRoot.resolve(Long.toString(jobId));
    }

    long maxOutputBytes() {
        return config.maxOutputBytes();
    }

    // ---- runner requests --------------------------------------------------------------------

    /** CAN#n: cancel a queued or running job of the requester. */
    public void cancel(Peer runner, int n, long jobId) {
        String user = runner.user();
        lock.lock();
        try {
            ActiveJob j = active.get(jobId);
            if (j != null && j.owner.equals(user) && !j.state.isTerminal()) {
                if (j.state == JobState.QUEUED) {
                    scheduler.remove(j);
                    terminalLocked(j, JobState.CANCELLED, null, null,
                            "cancelled by its owner before it ran",
                            new UpdateOpCustomizer(AuditAction.CAN, user, n, "queued job cancelled",
                                    runner.remoteAddress(), () -> runner.send(n,
                                            new Message.Success(new Result.Empty()))));
                    return;
                }
                // running: the lender kills it and ends the attempt with FIN{Cancelled}
                boolean first = !j.cancelRequested;
                j.cancelRequested = true;
                LenderHandle l = j.lender;
                if (first && l != null) {
                    l.peer.send(l.peer.nextServerId(), new Message.Cancel(jobId));
                    int attempt = j.attempts;
                    try {
                        timers.schedule(() -> cancelOverdue(j, l, attempt),
                                cancelGrace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // the server is stopping: the job is re-queued or ended at the next start
                    }
                }
                runner.send(n, new Message.Success(new Result.Empty()));
                audit.record(user, AuditAction.CAN, n, jobId, Code.SCF, "running job: kill sent to lender",
                        runner.remoteAddress());
                return;
            }
        } finally {
            lock.unlock();
        }
        Optional<Job> row = findOwned(user, jobId);
        if (row.isEmpty()) {
            runner.send(n, new Message.Failure(FailureKind.NOT_FOUND, "you have no job " + jobId));
            audit.record(user, AuditAction.CAN, n, jobId, Code.FLD, "not found", runner.remoteAddress());
        } else {
            String why = "job " + jobId + " already ended (" + row.get().getState() + ")";
            runner.send(n, new Message.Failure(FailureKind.WRONG_STATE, why));
            audit.record(user, AuditAction.CAN, n, jobId, Code.FLD, why, runner.remoteAddress());
        }
    }

    /**
     * The lender did not end a cancelled attempt within {@link #cancelGrace}: the job ends
     * CANCELLED without it. The lender keeps the slot (it may still be running the process)
     * until its FIN for that attempt arrives or it disconnects.
     */
    private void cancelOverdue(ActiveJob j, LenderHandle l, int attempt) {
        lock.lock();
        try {
            if (j.lender != l || j.attempts != attempt || j.state != JobState.RUNNING
                    || !j.cancelRequested) {
                return;
            }
            LOG.warning(() -> "lender " + l.pseudonym + " did not end cancelled job " + j.id
                    + " within " + cancelGrace.toSeconds() + " s; it is recorded CANCELLED");
            terminalLocked(j, JobState.CANCELLED, null, null, "cancelled by its owner; its "
                    + "lender did not confirm the kill within " + cancelGrace.toSeconds() + " s");
        } finally {
            lock.unlock();
        }
    }

    private Optional<Job> findOwned(String user, long jobId) {
        Optional<Job> j = db.inTransaction(tx -> tx.jobs().find(jobId));
        return j.filter(x -> x.getOwnerName().equals(user));
    }

    /** The detail of a job the requester owns (admins: any), or empty. */
    public Optional<JobDetail> detail(String user, boolean any, long jobId) {
        lock.lock();
        try {
            ActiveJob j = active.get(jobId);
            if (j != null && j.id != 0) {
                if (!any && !j.owner.equals(user)) {
                    return Optional.empty();
                }
                return Optional.of(new JobDetail(j.summary(), j.scriptSha256, j.args,
                        j.inputNames, j.files, j.cpuMillis, j.outputSha256));
            }
        } finally {
            lock.unlock();
        }
        Optional<Job> row = db.inTransaction(tx -> tx.jobs().find(jobId));
        return row.filter(x -> any || x.getOwnerName().equals(user)).map(Coordinator::detailOf);
    }

    public static JobSummary summaryOf(Job j) {
        return new JobSummary(j.getId(), j.getScriptName(), j.getState(), j.getExitCode(),
                j.getLimitHit(), j.getFailureReason() == null ? "" : j.getFailureReason(),
                j.getLenderPseudonym() == null ? "" : j.getLenderPseudonym(), j.getAttempts(),
                j.getSubmittedAt(), j.getStartedAt(), j.getFinishedAt(), j.getOutputBytes());
    }

    public static JobDetail detailOf(Job j) {
        return new JobDetail(summaryOf(j), j.getScriptSha256(), j.getArgs(), j.getInputNames(),
                j.getOutputFiles(), j.getCpuMillis(),
                j.getOutputSha256() == null ? "" : j.getOutputSha256());
    }

    /** HST: a page of the requester's jobs, newest first. */
    public Result.JobPage history(String ownerOrNull, JobState state, String nameContains,
            long beforeId, int limit) {
        List<Job> rows = db.inTransaction(tx -> tx.jobs().page(ownerOrNull, state, nameContains,
                beforeId, limit + 1));
        boolean more = rows.size() > limit;
        List<JobSummary> out = new ArrayList<>(Math.min(rows.size(), limit));
        for (int i = 0; i < Math.min(rows.size(), limit); i++) {
            out.add(summaryOf(rows.get(i)));
        }
        return new Result.JobPage(out, more);
    }

    /** GPT. */
    public PoolStatus pool() {
        lock.lock();
        try {
            int online = 0;
            for (LenderHandle l : scheduler.lenders()) {
                if (!l.withdrawn) {
                    online++;
                }
            }
            return new PoolStatus(online, scheduler.freeSlots(), scheduler.queued(), running);
        } finally {
            lock.unlock();
        }
    }

    /**
     * ATT#n: SCF{Detail}, then the spooled output from {@code fromSeq}, then live output when
     * {@code follow}, then JST.
     */
    public void attach(Peer runner, int n, long jobId, long fromSeq, boolean follow) {
        String user = runner.user();
        JobFeed feed = null;
        JobDetail detail = null;
        lock.lock();
        try {
            ActiveJob j = active.get(jobId);
            if (j != null && j.id != 0 && j.owner.equals(user) && j.feed != null) {
                feed = j.feed;
                JobSummary published = feed.summary();
                detail = new JobDetail(published, j.scriptSha256, j.args, j.inputNames, j.files,
                        j.cpuMillis, j.outputSha256);
            }
        } finally {
            lock.unlock();
        }
        if (feed == null) {
            Optional<Job> row = findOwned(user, jobId);
            if (row.isEmpty()) {
                runner.send(n, new Message.Failure(FailureKind.NOT_FOUND, "you have no job "
                        + jobId));
                audit.record(user, AuditAction.ATT, n, jobId, Code.FLD, "not found", runner.remoteAddress());
                return;
            }
            detail = detailOf(row.get());
            Optional<String> purged = retention.purgedNote(jobId);
            if (purged.isPresent()) {
                runner.send(n, new Message.Failure(FailureKind.NOT_FOUND, purged.get()));
                audit.record(user, AuditAction.ATT, n, jobId, Code.FLD, "output deleted by retention",
                        runner.remoteAddress());
                return;
            }
            OutputSpool spool;
            try {
                spool = OutputSpool.open(spoolDir(jobId).resolve("output"));
            } catch (IOException e) {
                runner.send(n, new Message.Failure(FailureKind.INTERNAL, "cannot read the "
                        + "output of job " + jobId + ": " + e.getMessage()));
                return;
            }
            feed = new JobFeed(jobId, detail.summary(), spool);
        }
        runner.send(n, new Message.Success(new Result.Detail(detail)));
        audit.record(user, AuditAction.ATT, n, jobId, Code.SCF, "from " + fromSeq + (follow ? ", follow" : ""),
                runner.remoteAddress());
        JobFeed f = feed;
        new Follower(runner, n, f, fromSeq, follow, f.snapshot().version(), null).start();
    }

    /** GIP: the pseudonym of the lender of the requester's job. */
    public Optional<String> lenderOf(String user, long jobId) {
        return detail(user, false, jobId).map(d -> d.summary().lender());
    }

    /** The output file {@code name} of a job the requester owns, or empty. */
    public Optional<OutputFileInfo> outputFile(String user, long jobId, String name) {
        return detail(user, false, jobId).flatMap(d -> d.files().stream()
                .filter(f -> f.name().equals(name)).findFirst());
    }

    /**
     * The live feed of an active job the requester owns (where its uploads in progress are
     * listed), or empty when the job is not active or not theirs.
     */
    public Optional<JobFeed> feedOf(String user, long jobId) {
        lock.lock();
        try {
            ActiveJob j = active.get(jobId);
            return j != null && j.id != 0 && j.owner.equals(user) ? Optional.ofNullable(j.feed)
                    : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Why an output file the job has is not on disk: deleted by the retention, or missing. */
    public String missingFileReason(long jobId, String name) {
        return retention.purgedNote(jobId).orElse("job " + jobId + " has no output file " + name);
    }

    public Path outputFilePath(long jobId, String name) {
        return spoolDir(jobId).resolve("files").resolve(name);
    }

    // ---- admin views ------------------------------------------------------------------------

    /** A line per online lender: pseudonym, user, load, python, sandbox. */
    public List<String> lenderLines() {
        List<String> out = new ArrayList<>();
        lock.lock();
        try {
            for (LenderHandle l : scheduler.lenders()) {
                LenderCapabilities c = l.caps;
                out.add(String.format("%-20s %-16s %d/%d running  python %s  %s%s%s  done %d",
                        l.pseudonym, l.user, l.running.size(), c.maxJobs(), c.pythonVersion(),
                        c.sandbox(), l.available ? "" : "  (busy)", l.withdrawn
                                ? "  (withdrawn)" : "", l.jobsDone));
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    /** Active jobs known in memory (for tests and admins). */
    public int activeJobs() {
        lock.lock();
        try {
            return active.size();
        } finally {
            lock.unlock();
        }
    }
}
