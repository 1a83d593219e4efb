package idle.server.dispatch;

import idle.db.Transaction;
import idle.server.VerifyPolicy;
import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.store.StoreWriter;
import idle.shared.model.ComparePart;
import idle.shared.model.JobState;
import idle.shared.model.VoteState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Verified jobs: a job runs as a vote of replicas on lenders of different accounts, and its
 * result is the one a strict majority of the replicas' results agree on.
 *
 * <p>How (decisions of issue 13):
 * <ul>
 * <li>A verified job keeps the one row its owner sees. At its first dispatch ({@link #divertLocked})
 *     it is made a vote: N replica rows (JOB.VERIFY_OF = its id, never listed to a runner) are
 *     stored with the job's vote in one transaction, then queued at the front of its owner's
 *     queue. Each replica is a job like any other (attempts, re-queue when its lender is lost,
 *     limits), with its own output spool; it runs the verified job's script and inputs.
 * <li>{@link #admitsLocked}: never two replicas of one vote on one lender account, nor (where
 *     the server can tell) on one remote host; an account whose standing is REPLICAS_ONLY gets
 *     no job alone, SUSPENDED gets nothing.
 * <li>When every replica made so far has ended, the results are counted ({@link VoteTally}) on
 *     the compared parts, with the server's own hashes. With a strict majority (and at least N
 *     results) the job ends as the majority's first result did, VERIFIED, serving that
 *     replica's output; the other replicas' spools are deleted. Without one, one more replica is
 *     made, up to the policy's maximum; then the job ends UNVERIFIED (or LOST without results),
 *     all spools kept so its detail can show the differences.
 * <li>Lender shares ({@link LenderTrust#record}) are written in the transaction that ends the
 *     job: majority AGREED, minority DISAGREED; a vote without a majority counts for nobody (it
 *     cannot tell who was wrong; most often the script is not deterministic). One audit row
 *     (VOTE) per decided vote, with lender pseudonyms only and no user.
 * <li>Adaptive replication and spot checks: a job whose verification came from a default (its
 *     user's or the server's) runs alone on a TRUSTED lender, unless
 *     {@link LenderTrust#drawSpotCheck} says to check it and a lender of another account is
 *     online: then it is a 2-replica vote. A spot check never makes its job wait: when the
 *     first result is in and the check's replica has not started, the job ends with that
 *     result, unchecked. A job nobody asked to verify runs alone and is never checked (no
 *     stranger sees a script its runner did not choose to share more widely). Sweeps are
 *     neither verified nor spot-checked.
 * </ul>
 *
 * <p>Threads: every {@code ...Locked} method runs under the state machine's lock and does no
 * I/O; the store writer's callbacks take the lock themselves.
 */
final class Votes {
    private static final Logger LOG = Logger.getLogger(Votes.class.getName());

    private final JobStateMachine jobs;
    private final StoreWriter writer;
    private final AuditLog audit;
    private final LenderTrust trust;
    private final VerifyPolicy policy;
    private final SpoolDirs spool;

    Votes(JobStateMachine jobs, StoreWriter writer, AuditLog audit, LenderTrust trust,
            VerifyPolicy policy, SpoolDirs spool) {
        this.jobs = jobs;
        this.writer = writer;
        this.audit = audit;
        this.trust = trust;
        this.policy = policy;
        this.spool = spool;
    }

    VerifyPolicy policy() {
        return policy;
    }

    LenderTrust trust() {
        return trust;
    }

    /**
     * The host part of a lender's remote address, or "" when the server cannot tell lenders
     * apart by it: unknown, or a loopback address (lenders on the server's own machine).
     */
    static String hostOf(LenderHandle l) {
        String a = l.peer.remoteAddress();
        if (a == null) {
            return "";
        }
        int colon = a.lastIndexOf(':');
        String host = colon > 0 ? a.substring(0, colon) : a;
        if (host.startsWith("/")) {
            host = host.substring(1);
        }
        boolean loopback = host.startsWith("127.") || host.equals("::1")
                || host.equals("[::1]") || host.equals("0:0:0:0:0:0:0:1")
                || host.equalsIgnoreCase("localhost") || host.isEmpty();
        return loopback ? "" : host;
    }

    // ---- dispatch ---------------------------------------------------------------------------

    /** Whether lender {@code l} may be given {@code job} at all. */
    boolean admitsLocked(ActiveJob job, LenderHandle l) {
        LenderTrust.Standing st = trust.standingOf(l.user);
        if (st == LenderTrust.Standing.SUSPENDED) {
            return false;
        }
        if (job.verifyOf != 0) {
            Vote v = job.vote;
            return v == null || !v.accountTaken(l.user, job) && !v.hostTaken(hostOf(l), job);
        }
        boolean becomesVote = job.sweep == null && job.vote == null && job.verifyAsked > 1
                && !(job.verifyDefaulted && st == LenderTrust.Standing.TRUSTED);
        if (becomesVote && accountsOnlineLocked("") < job.verifyAsked) {
            // it stays queued as it is until its vote can run: replicas that could never all
            // start would only wait (and take memory and rows) instead
            return false;
        }
        if (st == LenderTrust.Standing.REPLICAS_ONLY) {
            // it may take a job that becomes a vote at this dispatch, never one to run alone
            return job.sweep == null && (job.spotCheck || job.verifyAsked > 1);
        }
        return true;
    }

    /**
     * Whether {@code job}, about to go to {@code l}, runs as a vote instead (asked, spot-checked
     * now, or a default its lender's standing does not waive). Draws the spot check when the
     * job would run alone. Decides only; {@link #divertLocked} makes the vote.
     */
    boolean wouldDivertLocked(ActiveJob job, LenderHandle l) {
        if (job.verifyOf != 0 || job.sweep != null || job.vote != null) {
            return false;
        }
        if (job.spotCheck) {
            return true;
        }
        if (job.verifyAsked < 2) {
            return false; // nobody asked for verification: it runs alone, unchecked
        }
        LenderTrust.Standing st = trust.standingOf(l.user);
        if (!(job.verifyDefaulted && st == LenderTrust.Standing.TRUSTED)) {
            return true;
        }
        // adaptive replication: a trusted lender runs a job alone in place of the vote its
        // user's default asks for, and a share of those is checked all the same
        if (job.attempts == 0 && trust.drawSpotCheck() && accountsOnlineLocked(l.user) > 0) {
            job.spotCheck = true;
            return true;
        }
        return false;
    }

    /**
     * At dispatch: makes {@code job} a vote instead of giving it to {@code l} when
     * {@link #wouldDivertLocked} says so. The job was taken off the queue; it stays QUEUED (its
     * replicas are queued once stored).
     *
     * @return true when it became a vote (the lender was not given anything)
     */
    boolean divertLocked(ActiveJob job, LenderHandle l) {
        if (!wouldDivertLocked(job, l)) {
            return false;
        }
        startLocked(job, job.spotCheck ? 2 : job.verifyAsked, job.spotCheck);
        return true;
    }

    /** Lender accounts online (not withdrawn, not suspended) other than {@code except}. */
    int accountsOnlineLocked(String except) {
        Set<String> users = new HashSet<>();
        for (LenderHandle h : jobs.schedulerLocked().online()) {
            if (!h.user.equals(except)
                    && trust.standingOf(h.user) != LenderTrust.Standing.SUSPENDED) {
                users.add(h.user);
            }
        }
        return users.size();
    }

    /**
     * Why a vote of {@code n} replicas cannot run yet, or null when enough lender accounts are
     * online: "needs 3 lenders of different accounts, 2 online".
     */
    String shortOfAccountsLocked(int n) {
        int have = accountsOnlineLocked("");
        return have >= n ? null : "needs " + n + " lenders of different accounts, " + have
                + " online";
    }

    private void startLocked(ActiveJob job, int n, boolean spot) {
        Vote v = new Vote(job, n, policy.maxFor(n), job.compare, spot);
        job.vote = v;
        String shortOf = shortOfAccountsLocked(n);
        job.reason = shortOf != null ? shortOf : Reasons.WAITING;
        spawnLocked(v, n);
    }

    /** Makes {@code count} more replicas of {@code v}; they queue once stored. */
    private void spawnLocked(Vote v, int count) {
        long now = System.currentTimeMillis();
        List<ActiveJob> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ActiveJob r = v.newReplica(now);
            made.add(r);
            v.open.add(r);
        }
        v.spawned += count;
        writer.submit(new ReplicaInsert(jobs, v, made, new ProgressWrite(audit, v.job, null, null)));
    }

    /**
     * Replica {@code r} changed state: the vote's one entrance from the state machine, called
     * after the change was handed to the store writer. Started (RUNNING): its verified job
     * shows as running. Back in the queue (QUEUED): the vote is evaluated again, since a spot
     * check does not wait for a replica that has not started. Ended: see
     * {@link #replicaEndedLocked}.
     */
    void replicaChangedLocked(ActiveJob r) {
        if (r.state == JobState.RUNNING) {
            replicaStartedLocked(r);
        } else if (r.state == JobState.QUEUED) {
            if (r.vote != null) {
                evaluateLocked(r.vote);
            }
        } else if (r.state.isTerminal()) {
            replicaEndedLocked(r);
        }
    }

    /** A replica went to a lender: its verified job shows as running. */
    private void replicaStartedLocked(ActiveJob r) {
        Vote v = r.vote;
        if (v == null || v.closed || v.job.state != JobState.QUEUED) {
            return;
        }
        ActiveJob job = v.job;
        job.state = JobState.RUNNING;
        job.startedAt = System.currentTimeMillis();
        job.attempts = 1;
        job.reason = "";
        jobs.writeLocked(job);
    }

    // ---- results ----------------------------------------------------------------------------

    /**
     * Replica {@code r} ended (its end was just handed to the store writer): a result is
     * counted, a lost replica is replaced, and when none is open the vote is decided or grows.
     */
    private void replicaEndedLocked(ActiveJob r) {
        Vote v = r.vote;
        if (v == null) {
            return;
        }
        v.open.remove(r);
        if (v.closed) {
            return;
        }
        if (Ballot.isResult(r.state)) {
            v.ballots.add(ballotOf(r));
            if (r.lenderHost != null) {
                v.hosts.put(r.id, r.lenderHost);
            }
        }
        evaluateLocked(v);
    }

    private static Ballot ballotOf(ActiveJob r) {
        return new Ballot(r.id, r.lenderUser, r.lenderPseudonym, r.state, r.exitCode, r.limit,
                r.reason, r.stdoutSha256, r.stderrSha256, r.files, r.outputBytes, r.outputSha256,
                r.cpuMillis);
    }

    /** Decides {@code v} when none of its replicas is open; else shows its progress. */
    void evaluateLocked(Vote v) {
        if (v.closed) {
            return;
        }
        VoteTally t = VoteTally.of(v.ballots, v.compare);
        v.agreeing = t.agreeing();
        if (v.spot && v.ballots.size() == 1 && !v.open.isEmpty() && v.open.stream()
                .allMatch(r -> r.id != 0 && r.state == JobState.QUEUED)) {
            // a spot check is the server's own curiosity, so it never makes a job wait: when the
            // first result is in and the check's replica has not started (no other account's
            // lender was free: busy, benched, refusing), the job ends with its one result
            abandonSpotCheckLocked(v);
            return;
        }
        if (!v.open.isEmpty()) {
            // "vote 1/2" for followers, and why a replica may wait
            String shortOf = shortOfAccountsLocked(v.asked);
            v.job.reason = shortOf != null ? shortOf : "";
            jobs.writeLocked(v.job);
            return;
        }
        List<Ballot> m = t.majority();
        int results = v.ballots.size();
        boolean enough = results >= v.asked || v.spawned >= v.max && results >= 2;
        if (m != null && enough) {
            decideLocked(v, t, m);
        } else if (v.spawned < v.max) {
            spawnLocked(v, 1);
            jobs.writeLocked(v.job);
        } else if (results == 0) {
            v.closed = true;
            v.state = VoteState.UNVERIFIED;
            jobs.endLocked(v.job, Ending.lost("none of its " + v.spawned
                    + " replicas brought a result: their lenders kept disappearing"),
                    audited(v, "no results"), null);
        } else {
            noMajorityLocked(v, t);
        }
    }

    private void decideLocked(Vote v, VoteTally t, List<Ballot> m) {
        Ballot w = m.get(0);
        v.closed = true;
        v.state = VoteState.VERIFIED;
        v.agreeing = m.size();
        v.winner = w.replicaId();
        ActiveJob job = v.job;
        adoptLocked(job, w);
        List<LenderTrust.Share> shares = new ArrayList<>();
        for (Ballot b : v.ballots) {
            shares.add(new LenderTrust.Share(b.lenderUser(), m.contains(b)
                    ? LenderTrust.Verdict.AGREED : LenderTrust.Verdict.DISAGREED, b.cpuMillis()));
        }
        List<Long> losers = v.ballots.stream().filter(b -> b != w).map(Ballot::replicaId)
                .toList();
        Ending e = new Ending(w.state(), w.exitCode(), w.limit(), w.reason());
        long winner = w.replicaId();
        jobs.endLocked(job, e, audited(v, m.size() + " of " + t.results() + " agree"),
                () -> deleteSpools(losers), new Ended(shares, job, winner));
    }

    /**
     * Ends a spot-checked job with its only result, as if it had run alone (UNCHECKED, no vote
     * shown to its runner); the check's queued replicas end CANCELLED.
     */
    private void abandonSpotCheckLocked(Vote v) {
        v.closed = true;
        v.state = VoteState.NONE;
        for (ActiveJob r : List.copyOf(v.open)) {
            jobs.schedulerLocked().remove(r);
            jobs.endLocked(r, Ending.cancelled(Reasons.SPOT_CHECK_NOT_STARTED), null, null);
        }
        Ballot w = v.ballots.get(0);
        v.winner = w.replicaId();
        ActiveJob job = v.job;
        adoptLocked(job, w);
        List<LenderTrust.Share> shares = List.of(new LenderTrust.Share(w.lenderUser(),
                LenderTrust.Verdict.UNCHECKED, w.cpuMillis()));
        jobs.endLocked(job, new Ending(w.state(), w.exitCode(), w.limit(), w.reason()),
                new ProgressWrite.Audited(AuditAction.VOTE, null, 0, "spot check not made (no"
                        + " other account's lender started it): " + w.pseudonym() + " UNCHECKED",
                        null), null, new Ended(shares, job, w.replicaId()));
    }

    /** {@code job}'s result becomes ballot {@code w}'s (its output is then served from it). */
    private static void adoptLocked(ActiveJob job, Ballot w) {
        job.lenderPseudonym = w.pseudonym();
        job.outputBytes = w.outputBytes();
        job.outputSha256 = w.outputSha256();
        job.files.clear();
        job.files.addAll(w.files());
        job.cpuMillis = w.cpuMillis();
    }

    private void noMajorityLocked(Vote v, VoteTally t) {
        v.closed = true;
        v.state = VoteState.UNVERIFIED;
        v.agreeing = t.agreeing();
        String why = "no majority: " + t.results() + " results on " + ComparePart.text(v.compare)
                + " in " + t.groups().size() + " different groups (at most " + t.agreeing()
                + " agree); see the job's detail";
        jobs.endLocked(v.job, new Ending(JobState.UNVERIFIED, null, null, why),
                audited(v, "no majority"), null);
    }

    /** The VOTE audit row: pseudonyms and verdicts, no user (see the class comment). */
    private static ProgressWrite.Audited audited(Vote v, String outcome) {
        VoteTally t = VoteTally.of(v.ballots, v.compare);
        List<Ballot> m = t.majority();
        StringBuilder sb = new StringBuilder(outcome).append(v.spot ? " (spot check)" : "")
                .append(", compared ").append(ComparePart.text(v.compare)).append(':');
        for (Ballot b : v.ballots) {
            sb.append(' ').append(b.pseudonym()).append(' ')
                    .append(m == null ? "NO_MAJORITY" : m.contains(b) ? "AGREED" : "DISAGREED");
        }
        return new ProgressWrite.Audited(AuditAction.VOTE, null, 0, sb.toString(), null);
    }

    /**
     * What a decided vote's end also does: the lender shares in the same transaction, and, once
     * committed and before the end is published, the winning replica's output becomes the
     * job's (so followers get it before the terminal JST).
     */
    private final class Ended implements ProgressWrite.Effects {
        private final List<LenderTrust.Share> shares;
        private final ActiveJob job;
        private final long winner;

        Ended(List<LenderTrust.Share> shares, ActiveJob job, long winner) {
            this.shares = List.copyOf(shares);
            this.job = job;
            this.winner = winner;
        }

        @Override
        public void apply(Transaction tx) {
            trust.record(tx, shares);
        }

        @Override
        public void committed() {
            trust.recorded(shares);
            if (job.feed != null) {
                try {
                    job.feed.newAttempt(idle.server.relay.OutputSpool.open(spool.output(winner)));
                } catch (IOException ex) {
                    LOG.log(Level.WARNING, "cannot open the output of replica " + winner, ex);
                }
            }
        }
    }

    private void deleteSpools(List<Long> replicaIds) {
        if (replicaIds.isEmpty()) {
            return;
        }
        Thread.ofVirtual().name("idle-vote-clean").start(() -> {
            for (long id : replicaIds) {
                Path dir = spool.dir(id);
                if (!Files.exists(dir)) {
                    continue;
                }
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    LOG.log(Level.FINE, "cannot delete the spool of replica " + id, e);
                }
            }
        });
    }

    // ---- cancel -----------------------------------------------------------------------------

    /**
     * Closes the vote of {@code job} (cancelled): its queued replicas end at once, running ones
     * are killed through {@code cancelReplica}; replicas still being stored end when stored.
     */
    void closeLocked(ActiveJob job, java.util.function.Consumer<ActiveJob> cancelReplica) {
        Vote v = job.vote;
        v.closed = true;
        for (ActiveJob r : List.copyOf(v.open)) {
            if (r.id != 0) {
                cancelReplica.accept(r);
            }
        }
    }
}
