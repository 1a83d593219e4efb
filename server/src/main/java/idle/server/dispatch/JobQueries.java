package idle.server.dispatch;

import idle.db.Database;
import idle.db.entity.Job;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.peer.Peer;
import idle.server.relay.FileSender;
import idle.server.relay.FileUpload;
import idle.server.relay.Follower;
import idle.server.relay.JobFeed;
import idle.server.relay.OutputSpool;
import idle.server.store.OutputRetention;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.ComparePart;
import idle.shared.model.FailureKind;
import idle.shared.model.JobDetail;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ReplicaResult;
import idle.shared.protocol.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a runner may ask about its jobs: history (HST), one job's detail (JOB), its lender's
 * pseudonym (GIP), its output from any point on and live (ATT), and its output files (GOF, also
 * while they are still arriving). Active jobs are answered from memory, ended ones from the
 * database and the spool. A runner sees only its own jobs: another's job is "not found", the
 * same answer as a job that does not exist. Runs on the runner connection's reader thread; the
 * streaming itself runs on the {@link Follower}'s and {@link FileSender}'s threads.
 */
final class JobQueries {
    private final Database db;
    private final JobStateMachine jobs;
    private final OutputRetention retention;
    private final SpoolDirs spool;
    private final AuditLog audit;
    private final Differences.Streams streams;

    /** @param streams where a vote's differing lines are read (replicas' spools, bounded) */
    JobQueries(Database db, JobStateMachine jobs, OutputRetention retention, SpoolDirs spool,
            AuditLog audit, Differences.Streams streams) {
        this.streams = streams;
        this.db = db;
        this.jobs = jobs;
        this.retention = retention;
        this.spool = spool;
        this.audit = audit;
    }

    /**
     * The stored row of a job {@code user} owns, or empty. A replica of a verified job is no
     * job of its owner's: only the verified job is.
     */
    Optional<Job> findOwned(String user, long jobId) {
        Optional<Job> j = db.inTransaction(tx -> tx.jobs().find(jobId));
        return j.filter(x -> x.getOwnerName().equals(user) && x.getVerifyOf() == 0);
    }

    /** The detail of a job the requester owns ({@code any}: admins, any job), or empty. */
    Optional<JobDetail> detail(String user, boolean any, long jobId) {
        record Live(JobDetail detail, List<Ballot> ballots, Set<ComparePart> compare) {
        }
        Optional<Live> live = jobs.lockedGet(() -> {
            ActiveJob j = jobs.activeLocked(jobId);
            if (j == null || j.id == 0) {
                return null; // not active: the database has it, or nobody
            }
            if (!any && (!j.owner.equals(user) || j.verifyOf != 0)) {
                return Optional.<Live>empty();
            }
            Vote v = j.verifyOf == 0 ? j.vote : null;
            return Optional.of(new Live(JobViews.detailOf(j, j.summary()),
                    v == null ? List.of() : List.copyOf(v.ballots),
                    v == null ? ComparePart.ALL : v.compare));
        });
        if (live != null) {
            return live.map(l -> withReplicas(l.detail(), l.ballots(), l.compare()));
        }
        Optional<Job> row = db.inTransaction(tx -> tx.jobs().find(jobId));
        return row.filter(x -> any || x.getOwnerName().equals(user) && x.getVerifyOf() == 0)
                .map(this::detailOf);
    }

    /** The detail of a stored job, with its vote's results when it is a verified job. */
    private JobDetail detailOf(Job row) {
        JobDetail d = JobViews.detailOf(row);
        if (!d.summary().verification().verified() || d.summary().verification().results() == 0) {
            return d;
        }
        List<Job> replicas = new ArrayList<>(db.inTransaction(tx -> tx.jobs()
                .replicasOf(row.getId())));
        replicas.sort(Comparator.comparingLong(Job::getFinishedAt));
        List<Ballot> ballots = new ArrayList<>();
        for (Job r : replicas) {
            if (Ballot.isResult(r.getState()) && r.getVote() != null) {
                ballots.add(Ballot.of(r));
            }
        }
        return withReplicas(d, ballots, d.summary().verification().compared());
    }

    /**
     * {@code d} with its vote's results side by side: pseudonyms, outcomes, the server's
     * hashes, whether each is in the majority, and how it differs from the reference result
     * (spools read with a bound). Not under the lock.
     */
    private JobDetail withReplicas(JobDetail d, List<Ballot> ballots, Set<ComparePart> compare) {
        if (ballots.isEmpty()) {
            return d;
        }
        VoteTally t = VoteTally.of(ballots, compare);
        Ballot ref = t.reference(ballots);
        List<ReplicaResult> out = new ArrayList<>();
        for (Ballot b : ballots) {
            out.add(new ReplicaResult(b.pseudonym(), b.state(), b.exitCode(), b.limit(),
                    b.stdoutSha256(), b.stderrSha256(), b.files(), t.inMajority(b),
                    Differences.between(b, ref, compare, streams)));
        }
        return new JobDetail(d.summary(), d.scriptSha256(), d.args(), d.inputNames(), d.files(),
                d.cpuMillis(), d.outputSha256(), out);
    }

    /**
     * The job whose spool holds the output of job {@code jobId}: itself, or the replica whose
     * result won its vote (so a verified job serves one copy, its majority's).
     */
    private long outputIdOf(long jobId) {
        Long live = jobs.lockedGet(() -> {
            ActiveJob j = jobs.activeLocked(jobId);
            if (j == null) {
                return null;
            }
            return j.vote != null && j.verifyOf == 0 && j.vote.winner != 0 ? j.vote.winner
                    : jobId;
        });
        if (live != null) {
            return live;
        }
        return db.inTransaction(tx -> tx.jobs().find(jobId))
                .map(r -> VoteRecord.outputOf(jobId, r.getVote())).orElse(jobId);
    }

    /** HST: a page of jobs of their own (of {@code ownerOrNull}, or all), newest first. */
    Result.JobPage history(String ownerOrNull, JobState state, String nameContains,
            long beforeId, int limit) {
        // tasks of sweeps are listed with their sweep (SWL), not one by one
        List<Job> rows = db.inTransaction(tx -> tx.jobs().pageOwnJobs(ownerOrNull, state,
                nameContains, beforeId, limit + 1));
        boolean more = rows.size() > limit;
        List<JobSummary> out = new ArrayList<>(Math.min(rows.size(), limit));
        for (int i = 0; i < Math.min(rows.size(), limit); i++) {
            out.add(JobViews.summaryOf(rows.get(i)));
        }
        return new Result.JobPage(out, more);
    }

    /** GIP: the pseudonym of the lender of the requester's job ("" before it ran), or empty. */
    Optional<String> lenderOf(String user, long jobId) {
        return detail(user, false, jobId).map(d -> d.summary().lender());
    }

    /**
     * ATT#n: SCF{Detail}, then the spooled output from {@code fromSeq}, then live output when
     * {@code follow}, then JST.
     */
    void attach(Peer runner, int n, long jobId, long fromSeq, boolean follow) {
        String user = runner.user();
        String remote = runner.remoteAddress();
        record Live(JobFeed feed, JobDetail detail) {
        }
        Live live = jobs.lockedGet(() -> {
            ActiveJob j = jobs.activeLocked(jobId);
            if (j != null && j.id != 0 && j.owner.equals(user) && j.verifyOf == 0
                    && j.feed != null) {
                // the summary the feed published, so the detail and the first JST agree
                return new Live(j.feed, JobViews.detailOf(j, j.feed.summary()));
            }
            return null;
        });
        JobFeed feed;
        JobDetail detail;
        if (live != null) {
            feed = live.feed();
            detail = live.detail();
        } else {
            Optional<Job> row = findOwned(user, jobId);
            if (row.isEmpty()) {
                runner.send(n, new Message.Failure(FailureKind.NOT_FOUND, "you have no job "
                        + jobId));
                audit.record(user, AuditAction.ATT, n, jobId, Code.FLD, "not found", remote);
                return;
            }
            detail = detailOf(row.get());
            Optional<String> purged = retention.purgedNote(jobId);
            if (purged.isPresent()) {
                runner.send(n, new Message.Failure(FailureKind.NOT_FOUND, purged.get()));
                audit.record(user, AuditAction.ATT, n, jobId, Code.FLD,
                        "output deleted by retention", remote);
                return;
            }
            OutputSpool stored;
            try {
                stored = OutputSpool.open(spool.output(VoteRecord.outputOf(jobId,
                        row.get().getVote())));
            } catch (IOException e) {
                runner.send(n, new Message.Failure(FailureKind.INTERNAL, "cannot read the "
                        + "output of job " + jobId + ": " + e.getMessage()));
                return;
            }
            feed = new JobFeed(jobId, detail.summary(), stored);
        }
        runner.send(n, new Message.Success(new Result.Detail(detail)));
        audit.record(user, AuditAction.ATT, n, jobId, Code.SCF, "from " + fromSeq
                + (follow ? ", follow" : ""), remote);
        new Follower(runner, n, feed, fromSeq, follow, feed.snapshot().version(), null).start();
    }

    /**
     * GOF#n: the output file {@code name} of the requester's job, as TOF, DAT*, EOF. A file of
     * a running job may still be arriving: it is served as it grows (cut-through). Only a name
     * the job really has becomes a path: a requested name may be anything (a NUL in it made
     * {@code Path.resolve} throw; found by the fuzzer, FuzzRegressionTest).
     */
    void getFile(Peer runner, int n, Message.GetOutputFile g) {
        String user = runner.user();
        String remote = runner.remoteAddress();
        Optional<FileUpload> upload = feedOf(user, g.jobId()).flatMap(f -> f.upload(g.name()))
                .filter(u -> u.state() != FileUpload.State.FAILED);
        Path p = null;
        if (upload.isEmpty()) {
            Optional<OutputFileInfo> info = detail(user, false, g.jobId()).flatMap(d -> d.files()
                    .stream().filter(f -> f.name().equals(g.name())).findFirst());
            p = info.isEmpty() ? null : spool.file(outputIdOf(g.jobId()), g.name());
            if (p != null && Files.isRegularFile(p)) {
                upload = Optional.of(FileUpload.complete(info.get(), p));
            }
        }
        if (upload.isEmpty()) {
            runner.send(n, new Message.Failure(FailureKind.NOT_FOUND, p == null ? "job "
                    + g.jobId() + " has no output file " + g.name()
                    : retention.purgedNote(g.jobId()).orElse("job " + g.jobId()
                            + " has no output file " + g.name())));
            audit.record(user, AuditAction.GOF, n, g.jobId(), Code.FLD, "not found: " + g.name(),
                    remote);
            return;
        }
        new FileSender(runner, n, g.jobId(), upload.get(), result -> audit.record(user,
                AuditAction.GOF, n, g.jobId(), result.code(), g.name(), remote)).start();
    }

    /** The live feed of an active job {@code user} owns, or empty. */
    private Optional<JobFeed> feedOf(String user, long jobId) {
        return jobs.lockedGet(() -> {
            ActiveJob j = jobs.activeLocked(jobId);
            return j != null && j.id != 0 && j.owner.equals(user) && j.verifyOf == 0
                    ? Optional.ofNullable(j.feed)
                    : Optional.<JobFeed>empty();
        });
    }
}
