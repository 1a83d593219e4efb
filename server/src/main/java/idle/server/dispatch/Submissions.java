package idle.server.dispatch;

import idle.db.Transaction;
import idle.db.entity.Job;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.peer.Peer;
import idle.server.relay.Follower;
import idle.server.relay.JobFeed;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * RCS: a runner's job comes in. It is checked ({@link Submission}); under the state machine's
 * lock it is refused with NLA when nobody could run it, or with FLD{LIMIT} when its owner already
 * has {@code maxQueuedPerUser} jobs that have not ended, else it takes one of its owner's places
 * (so parallel submissions cannot overshoot). Then its input files are written
 * ({@link InputStore}), and, under the lock again, it is refused with NLA, given to a free lender
 * at once, or queued; its row (with the script) is written by the store writer, and only once
 * that committed does the runner get SCF (and the job's JST subscription), and the lender its EXF.
 * From then on the script is in the database, and in memory only if the bounded {@link Scripts}
 * cache takes it. Runs on the runner connection's reader thread, except the commit callbacks.
 */
final class Submissions {
    private static final Logger LOG = Logger.getLogger(Submissions.class.getName());

    private final JobStateMachine jobs;
    private final Submission rules;
    private final InputStore inputs;
    private final Scripts scripts;
    private final StoreWriter writer;
    private final AuditLog audit;
    private final int maxQueuedPerUser;
    private final VerifyDefaults defaults;

    /**
     * @param maxQueuedPerUser jobs not ended one owner may have
     * @param defaults the replicas of a job whose runner asks for the default
     */
    Submissions(JobStateMachine jobs, Submission rules, InputStore inputs, Scripts scripts,
            StoreWriter writer, AuditLog audit, int maxQueuedPerUser, VerifyDefaults defaults) {
        this.defaults = defaults;
        this.jobs = jobs;
        this.rules = rules;
        this.inputs = inputs;
        this.scripts = scripts;
        this.writer = writer;
        this.audit = audit;
        this.maxQueuedPerUser = maxQueuedPerUser;
    }

    /** Why the door refused a job before anything was stored. */
    private record Door(boolean noLenders, String why) {
    }

    /** RCS#n: validates, stores durably, answers SCF (after commit), NLA or FLD. */
    void submit(Peer runner, int n, Message.RunScript rs) {
        String user = runner.user();
        String remote = runner.remoteAddress();
        Submission.Refusal bad = rules.check(rs);
        if (bad != null) {
            runner.send(n, new Message.Failure(bad.kind(), bad.reason()));
            audit.record(user, AuditAction.RCS, n, null, Code.FLD, bad.reason(), remote);
            return;
        }
        // no input files are written for a job nobody could ever run, or one over its owner's
        // limit; past this point the job holds one of its owner's places until it ends or is
        // given up
        Door door = jobs.lockedGet(() -> {
            String nobody = jobs.schedulerLocked().whyNobodyCan(rs.needs());
            if (nobody != null) {
                return new Door(true, nobody);
            }
            int have = jobs.reserveLocked(user, maxQueuedPerUser);
            return have == 0 ? null : new Door(false, "you have " + have
                    + " jobs queued or running; the limit is " + maxQueuedPerUser);
        });
        if (door != null && door.noLenders()) {
            noLenders(runner, n, door.why());
            return;
        }
        if (door != null) {
            runner.send(n, new Message.Failure(FailureKind.LIMIT, door.why()));
            audit.record(user, AuditAction.RCS, n, null, Code.FLD, door.why(), remote);
            return;
        }
        InputStore.Staged staged;
        try {
            staged = inputs.stage(rs.inputs());
        } catch (IOException e) {
            jobs.locked(() -> jobs.releaseLocked(user));
            LOG.log(Level.SEVERE, "cannot write the input files of a job of " + user, e);
            String why = "the server could not store the input files: " + e.getMessage();
            runner.send(n, new Message.Failure(FailureKind.INTERNAL, why));
            audit.record(user, AuditAction.RCS, n, null, Code.FLD, why, remote);
            return;
        }
        List<String> inputNames = new ArrayList<>();
        for (InputFile f : rs.inputs()) {
            inputNames.add(f.name());
        }
        ActiveJob job = new ActiveJob(user, rs.scriptName(), rs.scriptSha256(), rs.args(),
                inputNames, rs.needs(), System.currentTimeMillis());
        job.verifyDefaulted = rs.verify() == 0;
        job.verifyAsked = job.verifyDefaulted ? defaults.replicasFor(user) : rs.verify();
        job.compare = rs.compare();
        String nla = jobs.lockedGet(() -> {
            Scheduler s = jobs.schedulerLocked();
            Votes votes = jobs.votesLocked();
            String why = s.whyNobodyCan(rs.needs());
            String shortOf = why == null && job.verifyAsked > 1 && !job.verifyDefaulted
                    ? votes.shortOfAccountsLocked(job.verifyAsked) : null;
            LenderHandle lender = why == null ? s.freeLenderFor(job) : null;
            if (why == null && rs.waitPolicy() == WaitPolicy.NLA_IF_BUSY) {
                if (shortOf != null) {
                    why = shortOf;
                } else if (lender == null) {
                    why = "all " + s.lenderCount() + " online lenders that could run it are busy ("
                            + s.queued() + " jobs queued)";
                }
            }
            if (why == null) {
                if (lender != null && votes.wouldDivertLocked(job, lender)) {
                    lender = null; // a vote: made at its first dispatch, once stored
                }
                if (lender != null) {
                    jobs.assignLocked(job, lender);
                } else {
                    job.reason = shortOf != null ? shortOf : Reasons.WAITING;
                }
                writer.submit(new Insert(job, rs.script(), runner, n, staged, rs.inputs().size(),
                        job.summary()));
            } else {
                jobs.releaseLocked(user);
            }
            return why;
        });
        if (nla != null) {
            inputs.discard(staged);
            noLenders(runner, n, nla);
        }
    }

    private void noLenders(Peer runner, int n, String why) {
        runner.send(n, new Message.NoLenders(why));
        audit.record(runner.user(), AuditAction.RCS, n, null, Code.NLA, why,
                runner.remoteAddress());
    }

    /**
     * The insert of a new job's row; after commit the job becomes active and its script is
     * offered to the cache (the only reference to it the server keeps).
     *
     * <p>A job given a free lender at once, without input files, gets its EXF while the insert
     * commits ({@link #written}), not after: the lender's answers are written after the insert
     * in the writer's order, so nothing it reports is acknowledged before the job is durable,
     * and the runner's SCF still waits for the commit. If the server dies between the EXF and
     * the commit, the job was never stored and never accepted (the lender kills a job whose
     * connection dropped; the runner saw no SCF); if the commit fails, the lender is told to
     * cancel ({@link #failed}).
     */
    private final class Insert implements StoreWriter.Op {
        private final ActiveJob job;
        private final byte[] script;
        private final Peer runner;
        private final int n;
        private final InputStore.Staged staged;
        private final int inputCount;
        private final JobSummary summary;
        private final List<String> vote;
        private Job row;
        /** Its EXF went out before the commit (set on the writer thread). */
        private boolean launched;

        Insert(ActiveJob job, byte[] script, Peer runner, int n, InputStore.Staged staged,
                int inputCount, JobSummary summary) {
            this.job = job;
            this.script = script;
            this.runner = runner;
            this.n = n;
            this.staged = staged;
            this.inputCount = inputCount;
            this.summary = summary;
            this.vote = VoteRecord.of(job);
        }

        @Override
        public void apply(Transaction tx) {
            Job j = new Job(job.owner, job.scriptName, job.scriptSha256, script, job.args,
                    job.inputNames, job.needs, job.submittedAt);
            if (row != null) {
                j.setId(row.getId()); // retried alone: the id its EXF may carry already
            }
            j.setState(summary.state());
            j.setAttempts(summary.attempts());
            j.setLenderPseudonym(summary.lender().isEmpty() ? null : summary.lender());
            j.setStartedAt(summary.startedAt());
            j.setFailureReason(summary.reason().isEmpty() ? null : summary.reason());
            j.setVote(vote);
            tx.jobs().insert(j);
            audit.recordIn(tx, job.owner, AuditAction.RCS, n, j.getId(), Code.SCF, job.scriptName
                    + " " + script.length + " bytes, " + inputCount + " inputs",
                    runner.remoteAddress());
            row = j;
        }

        @Override
        public boolean early() {
            return summary.state() == JobState.RUNNING && inputCount == 0;
        }

        @Override
        public void written() {
            if (launched) {
                return;
            }
            long id = row.getId();
            Runnable launch = jobs.lockedGet(() -> {
                LenderHandle l = job.lender;
                if (job.state != JobState.RUNNING || l == null || l.gone
                        || !scripts.remember(id, script)) {
                    return null; // sent after the commit, as any other job
                }
                job.id = id;
                job.feed = new JobFeed(id, accepted(id), null);
                launched = true;
                int ex = job.exchangeId;
                int attempt = job.attempts;
                return () -> jobs.launchCommitted(job, l, ex, attempt);
            });
            if (launch != null) {
                launch.run();
            }
        }

        private JobSummary accepted(long id) {
            return new JobSummary(id, summary.scriptName(), summary.state(), null, null,
                    summary.reason(), summary.lender(), summary.attempts(), summary.submittedAt(),
                    summary.startedAt(), 0, 0, 0, 0, summary.verification());
        }

        @Override
        public void committed() {
            long id = row.getId();
            if (!launched) {
                scripts.remember(id, script);
            }
            String inputProblem = null;
            try {
                inputs.adopt(staged, id);
            } catch (IOException e) {
                LOG.log(Level.SEVERE, "cannot move the input files of job " + id, e);
                inputProblem = Reasons.inputsNotStored(e.getMessage());
            }
            JobSummary accepted = accepted(id);
            String problem = inputProblem;
            Runnable launch = jobs.lockedGet(() -> {
                if (!launched) {
                    job.id = id;
                    job.feed = new JobFeed(id, accepted, null);
                }
                jobs.activateLocked(job);
                if (launched) {
                    return null; // its attempt has it since the EXF (it may have ended already)
                }
                if (problem != null) {
                    jobs.unassignLocked(job);
                    jobs.endLocked(job, Ending.failed(problem), null, null);
                    jobs.dispatchLocked();
                } else if (job.state == JobState.QUEUED) {
                    jobs.schedulerLocked().enqueue(job, false);
                    jobs.dispatchLocked();
                } else if (job.state == JobState.RUNNING && job.lender != null) {
                    LenderHandle l = job.lender;
                    int ex = job.exchangeId;
                    int attempt = job.attempts;
                    if (l.gone) {
                        jobs.lenderLostLocked(job, Reasons.LENDER_DISCONNECTED);
                        jobs.dispatchLocked();
                    } else {
                        return () -> jobs.launchCommitted(job, l, ex, attempt);
                    }
                }
                return null;
            });
            String note = accepted.state() == JobState.RUNNING ? "running on " + accepted.lender()
                    : accepted.reason();
            runner.send(n, new Message.Success(new Result.JobAccepted(id, accepted.state(), note)));
            new Follower(runner, n, job.feed, 0, true, job.feed.snapshot().version(), null).start();
            if (launch != null) {
                launch.run();
            }
        }

        @Override
        public void failed(RuntimeException e) {
            LOG.log(Level.SEVERE, "could not store a job of " + job.owner, e);
            inputs.discard(staged);
            jobs.locked(() -> {
                if (launched) {
                    // its EXF went out: the lender stops it, and whatever its attempt did since
                    // (a re-queue after a refusal) is undone
                    scripts.forget(job.id);
                    LenderHandle l = job.lender;
                    if (l != null && !l.gone) {
                        l.peer.send(l.peer.nextServerId(), new Message.Cancel(job.id));
                    }
                    jobs.schedulerLocked().remove(job);
                }
                jobs.unassignLocked(job);
                job.state = JobState.FAILED;
                jobs.releaseLocked(job.owner);
                jobs.dispatchLocked();
            });
            runner.send(n, new Message.Failure(FailureKind.INTERNAL,
                    "the job could not be stored: " + e.getMessage()));
        }
    }
}
