package idle.server.dispatch;

import idle.db.Database;
import idle.server.ServerConfig;
import idle.server.audit.AuditLog;
import idle.server.auth.Pseudonyms;
import idle.server.peer.Peer;
import idle.server.relay.Durability;
import idle.server.store.OutputRetention;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobDetail;
import idle.shared.model.JobState;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.PoolStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The job service as the network sees it: submission, the fair queue, dispatch to lenders,
 * results, cancellation, retries, and the runners' views of their jobs. It speaks to clients
 * only through {@link Peer}. This class only wires the parts and hands each request to the one
 * that does it:
 * <ul>
 * <li>{@link JobStateMachine}: the jobs and lenders in memory and every change of a job's state
 *     (with {@link Scheduler}, the queue and the lender registry);
 * <li>{@link Submissions}: RCS, checked by {@link Submission}, inputs kept by {@link InputStore};
 * <li>{@link Launcher} and {@link LenderRun}: one attempt on a lender, EXF to FIN;
 * <li>{@link LenderEvents}: MML, BSY, WBL, a lender's connection ending;
 * <li>{@link Cancels}: CAN and its deadline;
 * <li>{@link JobQueries}: HST, JOB, GIP, ATT, GOF;
 * <li>{@link Sweeps}, {@link SweepQueries}, {@link SweepRetries}: SWP, SWT, SWC, SWA, SWL, SWR;
 * <li>{@link Recovery}: what a previous run left, at start.
 * </ul>
 * Thread-safe: every method may be called from any connection's thread.
 */
public final class Coordinator {
    private static final Logger LOG = Logger.getLogger(Coordinator.class.getName());

    private final InputStore inputs;
    private final Scripts scripts;
    private final Launcher launcher;
    private final OutputRetention retention;
    private final JobStateMachine jobs;
    private final Submissions submissions;
    private final LenderEvents lenders;
    private final JobQueries queries;
    private final Cancels cancels;
    private final Deadlines deadlines = new Deadlines();
    private final Recovery recovery;
    private final Sweeps sweeps;
    private final SweepQueries sweepQueries;
    private final SweepRetries sweepRetries;
    private final Database db;
    private final StoreWriter writer;
    private final VerifyDefaults verifyDefaults;
    private final LenderTrust trust;

    /**
     * @param trust lender accounts' standings and credit, asked when placing work (who may run
     *     what, spot checks, lend-to-earn turns), and where the consequences of votes and results
     *     are written (the server passes its {@code idle.server.reputation.Reputation})
     */
    public Coordinator(ServerConfig config, Database db, StoreWriter writer, AuditLog audit,
            Pseudonyms pseudonyms, LenderTrust trust) {
        this(config, db, writer, audit, pseudonyms, Durability.FSYNC, trust);
    }

    /** As above, making output durable with {@code durability} (tests watch it). */
    Coordinator(ServerConfig config, Database db, StoreWriter writer, AuditLog audit,
            Pseudonyms pseudonyms, Durability durability, LenderTrust trust) {
        this.trust = trust;
        Path spoolRoot = config.dataDir().resolve("spool");
        Path inputsRoot = config.dataDir().resolve("inputs");
        SpoolDirs spool = new SpoolDirs(spoolRoot);
        this.inputs = new InputStore(inputsRoot);
        this.scripts = new Scripts(db, config.dispatch().scriptCacheBytes());
        this.launcher = new Launcher(scripts, inputs, spool, config.maxOutputBytes(),
                durability);
        // the patience we have with a silent connection is the patience we have with a lender
        // that does not stop a job when told (a cancel, a limit): both mean it no longer does
        // what it is told
        Duration grace = config.heartbeatTimeout();
        // lend-to-earn: runners who lend get turns in proportion to their bounded credit
        this.jobs = new JobStateMachine(writer, audit, launcher, scripts, deadlines, grace,
                config.maxAttempts(), trust, config.dispatch().verify(), spool,
                owner -> config.reputation().weightOf(trust.creditMillis(owner)));
        this.verifyDefaults = new VerifyDefaults(db, config.dispatch().verify());
        this.retention = new OutputRetention(spoolRoot, inputsRoot, config.outputRetention(),
                jobs::isActive, Clock.systemUTC());
        this.submissions = new Submissions(jobs, new Submission(config.maxScriptBytes(),
                config.maxInputBytes()), inputs, scripts, writer, audit,
                config.dispatch().maxQueuedPerUser(), verifyDefaults);
        this.lenders = new LenderEvents(jobs, audit, pseudonyms, config.maxSlotsPerLender(),
                config.dispatch().maxLendersPerUser(), trust);
        this.queries = new JobQueries(db, jobs, retention, spool, audit, new SpoolStreams(spool));
        this.cancels = new Cancels(jobs, queries, audit, deadlines, grace);
        this.recovery = new Recovery(db, audit, config.maxAttempts());
        this.db = db;
        this.writer = writer;
        this.sweeps = new Sweeps(jobs, new SweepRules(new Submission(config.maxScriptBytes(),
                config.maxInputBytes()), SweepRules.DEFAULT_MAX_TASKS, config.maxInputBytes()),
                inputs, scripts, writer, audit, cancels, config.dispatch().maxQueuedPerUser(),
                (user, id) -> {
                    var l = db.inTransaction(tx -> tx.sweeps().page(user, id + 1, 1));
                    return !l.isEmpty() && l.get(0).getId() == id;
                });
        this.sweepQueries = new SweepQueries(db, sweeps, audit);
        retention.sweepInputs(sweeps::inputsInUse);
        this.sweepRetries = new SweepRetries(db, sweeps, sweepQueries, inputs, scripts, writer,
                jobs, audit);
    }

    // ---- life -------------------------------------------------------------------------------

    /**
     * Loads the jobs a previous run left queued or running (see {@link Recovery}) and clears
     * input files it staged for jobs never stored. Call once, before accepting connections.
     *
     * @return {jobs queued, jobs lost}
     */
    public int[] recover() {
        inputs.clearStaging();
        Recovery.Loaded loaded = recovery.load();
        new SweepRecovery(sweeps, writer).recover(db, loaded.queued());
        jobs.locked(() -> {
            Votes votes = jobs.votesLocked();
            for (ActiveJob a : new VoteRecovery(jobs, votes, votes.policy())
                    .recoverLocked(loaded.queued(), loaded.replicaRows())) {
                jobs.recoveredLocked(a);
                if (a.sweepId != 0 && a.sweep == null) {
                    // a task whose sweep row is gone has no script to run
                    jobs.schedulerLocked().remove(a);
                    jobs.endLocked(a, Ending.failed("its sweep " + a.sweepId + " is missing"),
                            null, null);
                }
            }
        });
        LOG.info("recovered " + loaded.queued().size() + " queued jobs"
                + (loaded.lost() > 0 ? ", " + loaded.lost() + " lost" : ""));
        return new int[] {loaded.queued().size(), loaded.lost()};
    }

    /** The server is shutting down: no more dispatch; running jobs stay as they are. */
    public void stop() {
        jobs.stop();
        deadlines.stop();
        launcher.stop(Duration.ofSeconds(10));
        retention.close();
    }

    /** What ended jobs left on disk, and when it goes; started by the server after recovery. */
    public OutputRetention retention() {
        return retention;
    }

    // ---- runner requests --------------------------------------------------------------------

    /** RCS#n: validates, stores durably, answers SCF (after commit), NLA or FLD. */
    public void submit(Peer runner, int n, Message.RunScript rs) {
        submissions.submit(runner, n, rs);
    }

    /** CAN#n: cancel a queued or running job of the requester. */
    public void cancel(Peer runner, int n, long jobId) {
        cancels.cancel(runner, n, jobId);
    }

    /** ATT#n: SCF{Detail}, the output from {@code fromSeq}, live output when following, JST. */
    public void attach(Peer runner, int n, long jobId, long fromSeq, boolean follow) {
        queries.attach(runner, n, jobId, fromSeq, follow);
    }

    /** GOF#n: an output file of the requester's job, also while it is still arriving. */
    public void getFile(Peer runner, int n, Message.GetOutputFile g) {
        queries.getFile(runner, n, g);
    }

    /** The detail of a job the requester owns (admins: any), or empty. */
    public Optional<JobDetail> detail(String user, boolean any, long jobId) {
        return queries.detail(user, any, jobId);
    }

    /** HST: a page of jobs (of {@code ownerOrNull}, or all), newest first. */
    public Result.JobPage history(String ownerOrNull, JobState state, String nameContains,
            long beforeId, int limit) {
        return queries.history(ownerOrNull, state, nameContains, beforeId, limit);
    }

    /** GIP: the pseudonym of the lender of the requester's job ("" before it ran). */
    public Optional<String> lenderOf(String user, long jobId) {
        return queries.lenderOf(user, jobId);
    }

    /** The server's bound on background forces of output spools (package-private for tests). */
    EarlyForces earlyForces() {
        return launcher.earlyForces();
    }

    /** GPT. */
    public PoolStatus pool() {
        return jobs.pool();
    }

    // ---- lenders ----------------------------------------------------------------------------

    /** MML#n. */
    public void makeLender(Peer peer, int n, LenderCapabilities caps) {
        lenders.makeLender(peer, n, caps);
    }

    /** True when the connection is an active lender. */
    public boolean isLender(Peer peer) {
        return lenders.isLender(peer);
    }

    /** WBL#n: no new jobs; with returnJobs the running ones go back to the queue. */
    public void withdraw(Peer peer, int n, boolean returnJobs) {
        lenders.withdraw(peer, n, returnJobs);
    }

    /** BSY#n. */
    public void availability(Peer peer, int n, boolean available, String reason) {
        lenders.availability(peer, n, available, reason);
    }

    /**
     * The connection is gone: if it was a lender, its running jobs go back to the queue; sweeps
     * it was still sending tasks for are closed as they stand.
     */
    public void peerGone(Peer peer) {
        lenders.peerGone(peer);
        sweeps.peerGone(peer);
    }

    /**
     * An account's standing may have changed (an admin suspended or resumed it): its lenders
     * online get no new jobs while it is suspended (the jobs they run may finish), and take
     * jobs again once it is resumed. Any thread but the dispatch lock's holder.
     */
    public void standingChanged(String user) {
        boolean suspended = trust.standingOf(user) == LenderTrust.Standing.SUSPENDED;
        jobs.locked(() -> {
            for (LenderHandle h : jobs.schedulerLocked().lenders()) {
                if (h.user.equals(user) && h.suspended != suspended) {
                    h.suspended = suspended;
                    jobs.schedulerLocked().refresh(h);
                }
            }
            jobs.dispatchLocked();
        });
    }

    // ---- sweeps -----------------------------------------------------------------------------

    /** SWP#n: opens a sweep; SCF{Sweep} once stored, then its tasks' JSTs under n. */
    public void openSweep(Peer runner, int n, Message.SweepOpen m) {
        sweeps.open(runner, n, m);
    }

    /** SWT#n: a batch of an open sweep's tasks; SCF once stored and queued. */
    public void sweepTasks(Peer runner, int n, Message.SweepTasks m) {
        sweeps.tasks(runner, n, m);
    }

    /** SWA#n: a sweep's summary and its tasks' states, live when following. */
    public void attachSweep(Peer runner, int n, long sweepId, boolean follow) {
        sweepQueries.attach(runner, n, sweepId, follow);
    }

    /** SWL#n: a page of sweeps or of one sweep's tasks; null when it was answered FLD. */
    public Result listSweeps(Peer runner, int n, Message.SweepList m) {
        return sweepQueries.list(runner, n, m);
    }

    /**
     * SWC: cancels what is left of a sweep; the number of tasks cancelled, or -1 when the user
     * has no sweep running under that id.
     */
    public int cancelSweep(Peer runner, int n, long sweepId) {
        return sweeps.cancel(runner.user(), n, sweepId, runner.remoteAddress());
    }

    /** Whether {@code user} owns sweep {@code sweepId} (running or not). */
    public boolean ownsSweep(String user, long sweepId) {
        SweepRun run = sweeps.activeSweep(sweepId);
        return run != null ? run.owner.equals(user)
                : sweepQueries.owned(user, sweepId).isPresent();
    }

    /** SWR#n: a new sweep of a finished sweep's unsuccessful tasks, followed under n. */
    public void retrySweep(Peer runner, int n, long sweepId) {
        sweepRetries.retry(runner, n, sweepId);
    }

    // ---- admins and tests -------------------------------------------------------------------

    /** A line per online lender: pseudonym, user, load, python, sandbox. */
    public List<String> lenderLines() {
        return LenderLines.of(jobs.lenderSnapshots());
    }

    /** Whether a job is queued or running (or being stored). */
    public boolean isActive(long jobId) {
        return jobs.isActive(jobId);
    }

    /** The replicas a job gets by default, per user (admins set them). */
    public VerifyDefaults verifyDefaults() {
        return verifyDefaults;
    }

    /** Bytes of scripts the server holds in memory (for tests and admins). */
    public long cachedScriptBytes() {
        return scripts.cachedBytes();
    }

    /** Active jobs known in memory (for tests and admins). */
    public int activeJobs() {
        return jobs.activeCount();
    }
}
