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
import idle.shared.model.FailureKind;
import idle.shared.model.JobDetail;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.OutputFileInfo;
import idle.shared.protocol.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    JobQueries(Database db, JobStateMachine jobs, OutputRetention retention, SpoolDirs spool,
            AuditLog audit) {
        this.db = db;
        this.jobs = jobs;
        this.retention = retention;
        this.spool = spool;
        this.audit = audit;
    }

    /** The stored row of a job {@code user} owns, or empty. */
    Optional<Job> findOwned(String user, long jobId) {
        Optional<Job> j = db.inTransaction(tx -> tx.jobs().find(jobId));
        return j.filter(x -> x.getOwnerName().equals(user));
    }

    /** The detail of a job the requester owns ({@code any}: admins, any job), or empty. */
    Optional<JobDetail> detail(String user, boolean any, long jobId) {
        Optional<JobDetail> live = jobs.lockedGet(() -> {
            ActiveJob j = jobs.activeLocked(jobId);
            if (j == null || j.id == 0) {
                return null; // not active: the database has it, or nobody
            }
            if (!any && !j.owner.equals(user)) {
                return Optional.<JobDetail>empty();
            }
            return Optional.of(JobViews.detailOf(j, j.summary()));
        });
        if (live != null) {
            return live;
        }
        Optional<Job> row = db.inTransaction(tx -> tx.jobs().find(jobId));
        return row.filter(x -> any || x.getOwnerName().equals(user)).map(JobViews::detailOf);
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
            if (j != null && j.id != 0 && j.owner.equals(user) && j.feed != null) {
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
            detail = JobViews.detailOf(row.get());
            Optional<String> purged = retention.purgedNote(jobId);
            if (purged.isPresent()) {
                runner.send(n, new Message.Failure(FailureKind.NOT_FOUND, purged.get()));
                audit.record(user, AuditAction.ATT, n, jobId, Code.FLD,
                        "output deleted by retention", remote);
                return;
            }
            OutputSpool stored;
            try {
                stored = OutputSpool.open(spool.output(jobId));
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
            p = info.isEmpty() ? null : spool.file(g.jobId(), g.name());
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
            return j != null && j.id != 0 && j.owner.equals(user) ? Optional.ofNullable(j.feed)
                    : Optional.<JobFeed>empty();
        });
    }
}
