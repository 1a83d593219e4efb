package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.db.repository.LenderDelta;
import idle.db.repository.LenderRecord;
import idle.server.dispatch.LenderTrust;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.ComparePart;
import idle.shared.model.FailureKind;
import idle.shared.model.JobDetail;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.ReplicaResult;
import idle.shared.model.VoteState;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Sha256;
import idle.shared.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verified jobs (issue 13) through the real server, sockets and on-disk Derby: a raw-protocol
 * runner, and raw lenders of different accounts ({@link RawLender}) that run instruction
 * "scripts"; one of them lies when told to ({@link RawLender#tamper}). Standings and shares are
 * the server's own ({@code Reputation}, stored in LENDER_RECORD): a test that needs a lender
 * TRUSTED or REPLICAS_ONLY from the start gives it a record before the server starts.
 */
@Timeout(300)
class VerifiedJobTest {
    static final Duration WAIT = RawClient.WAIT;
    Path dir;
    IdleServer server;
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void clean() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            TestDirs.delete(dir);
        }
    }

    IdleServer start(String name, VerifyPolicy policy) throws Exception {
        return start(name, policy, ReputationConfig.defaults());
    }

    /**
     * A server with {@code reputation}'s rules whose LENDER_RECORD holds {@code records} when
     * it starts (as records written by an earlier run of the server).
     */
    IdleServer start(String name, VerifyPolicy policy, ReputationConfig reputation,
            LenderDelta... records) throws Exception {
        dir = TestDirs.fresh(name);
        DatabaseConfig db = DatabaseConfig.embedded(dir.resolve("db"));
        if (records.length > 0) {
            try (Database d = Database.open(db)) {
                d.inTransaction(tx -> {
                    for (LenderDelta r : records) {
                        tx.lenders().add(r);
                    }
                    return null;
                });
            }
        }
        ServerConfig config = ServerConfig.defaults(dir).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false)
                .withDispatch(DispatchLimits.defaults().withVerify(policy))
                .withReputation(reputation);
        server = IdleServer.start(config, db);
        for (String u : List.of("alice", "lender1", "lender2", "lender3", "lender4")) {
            server.accounts().addUser(u, ("pw-" + u).toCharArray(), false);
        }
        server.accounts().addUser("root", "pw-root".toCharArray(), true);
        return server;
    }

    /** A record of {@code agreed} results in a row: TRUSTED once that reaches trust-after. */
    static LenderDelta agreedRecord(String user, int agreed) {
        return new LenderDelta(user, agreed, 0, 0, 0, 0, 0, 0, System.currentTimeMillis());
    }

    /** A record of {@code strikes} outvoted results: REPLICAS_ONLY at the strike limit. */
    static LenderDelta struckRecord(String user, int strikes) {
        return new LenderDelta(user, 0, strikes, 0, 0, 0, 0, 0, System.currentTimeMillis());
    }

    RawClient runner() throws Exception {
        RawClient c = RawClient.connect(server);
        open.add(c);
        c.loginOk("alice", "pw-alice");
        return c;
    }

    RawLender lender(String user) throws Exception {
        RawLender l = new RawLender(server, user, "pw-" + user, 1);
        open.add(l);
        return l;
    }

    static Message.RunScript rcs(String text, int verify, Set<ComparePart> compare,
            WaitPolicy wait) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new Message.RunScript("v.py", b, Sha256.hex(b), List.of(), List.of(),
                JobNeeds.NONE, wait, verify, compare);
    }

    static Message.RunScript rcs(String text, int verify) {
        return rcs(text, verify, ComparePart.ALL, WaitPolicy.QUEUE);
    }

    /** Submits; returns {request id, job id}. */
    static long[] submit(RawClient c, Message.RunScript m) {
        int id = c.nextId();
        c.send(id, m);
        Message r = c.next(id);
        Result.JobAccepted a = (Result.JobAccepted) assertInstanceOf(Message.Success.class, r,
                "RCS answered " + r).result();
        return new long[] {id, a.jobId()};
    }

    /** What the runner hears on #id up to the terminal JST: stdout, and the last summary. */
    record Heard(String stdout, JobSummary end, List<JobSummary> states) {
    }

    static Heard follow(RawClient c, int id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<JobSummary> states = new ArrayList<>();
        while (true) {
            Message m = c.next(id);
            if (m instanceof Message.Output o) {
                out.writeBytes(o.data());
            } else if (m instanceof Message.JobEvent e) {
                states.add(e.job());
                if (e.job().state().isTerminal()) {
                    return new Heard(out.toString(StandardCharsets.UTF_8), e.job(), states);
                }
            }
        }
    }

    static JobDetail detail(RawClient c, long jobId) {
        return c.requestOk(new Message.JobQuery(jobId), Result.Detail.class).job();
    }

    // ---- a lying lender ---------------------------------------------------------------------

    /** A lender account's record as stored (LENDER_RECORD), empty when it has none. */
    LenderRecord stored(String user) {
        return server.database().inTransaction(tx -> tx.lenders().find(user))
                .orElse(LenderRecord.empty(user));
    }

    /**
     * The liar (strike limit 2, no spot checks): it is outvoted (a third replica breaks
     * a tie), the runner gets one copy of the majority's output and sees pseudonyms only; its
     * strikes land in LENDER_RECORD, its standing falls to REPLICAS_ONLY and it gets no job
     * alone; the honest lenders' agreed results are counted once and earn credit, the liar none.
     */
    @Test
    void aLiarIsOutvotedStruckAndThenGetsNoJobAlone() throws Exception {
        start("verify-liar", VerifyPolicy.defaults(), new ReputationConfig(2, 20, 0, 1));
        RawLender liar = lender("lender3");
        liar.tamper = line -> line.startsWith("out ") ? "out 666" : line;
        lender("lender1");
        lender("lender2");
        RawClient c = runner();

        int jobs = 0;
        while (stored("lender3").disagreed() < 2) {
            assertTrue(++jobs <= 10, "the liar took part in too few votes: " + stored("lender3"));
            long[] j = submit(c, rcs("out hello\nexit 0\n", 2));
            Heard h = follow(c, (int) j[0]);
            assertEquals(JobState.SUCCEEDED, h.end().state(), "the honest result wins");
            assertEquals(VoteState.VERIFIED, h.end().verification().state());
            assertEquals("hello\n", h.stdout(), "one copy of the majority's output, no lie");
            assertTrue(h.states().stream().filter(s -> !s.state().isTerminal())
                    .allMatch(s -> s.verification().state() == VoteState.PENDING),
                    "the vote shows as pending until it is decided: " + h.states());
            JobDetail d = detail(c, j[1]);
            boolean liarVoted = d.replicas().stream().anyMatch(r -> r.lender().equals(
                    liar.pseudonym));
            if (liarVoted) {
                assertEquals(3, h.end().verification().results(), "a third replica broke the tie");
                assertEquals(2, h.end().verification().agreeing());
                assertEquals("2 of 3", h.end().verification().label());
                ReplicaResult lie = d.replicas().stream().filter(r -> r.lender().equals(
                        liar.pseudonym)).findFirst().orElseThrow();
                assertFalse(lie.majority());
                assertTrue(lie.differences().stream().anyMatch(l -> l.startsWith(
                        "stdout differs")), lie.differences().toString());
            } else {
                assertEquals("2/2 ✓", h.end().verification().label());
            }
            for (ReplicaResult r : d.replicas()) {
                assertFalse(r.lender().matches("lender[0-9]"), "pseudonyms only: " + r.lender());
            }
        }
        assertEquals(2, stored("lender3").strikes());
        assertEquals(0, stored("lender3").creditMillis(), "no credit for outvoted results");
        assertEquals(LenderTrust.Standing.REPLICAS_ONLY, server.reputation().standingOf("lender3"));
        assertEquals(0, stored("lender1").disagreed());
        assertEquals(0, stored("lender2").disagreed());
        assertTrue(stored("lender1").agreed() + stored("lender2").agreed() >= jobs + 2,
                "every vote counted the honest results once: " + stored("lender1") + " "
                        + stored("lender2"));

        int liarRuns = liar.runs.size();
        List<long[]> alone = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            alone.add(submit(c, rcs("out alone " + i + "\nexit 0\n", 1)));
        }
        for (long[] j : alone) {
            Heard h = follow(c, (int) j[0]);
            assertEquals(JobState.SUCCEEDED, h.end().state());
            assertEquals(VoteState.NONE, h.end().verification().state());
        }
        assertEquals(liarRuns, liar.runs.size(), "a REPLICAS_ONLY lender got a job alone");
        assertEquals(4, stored("lender1").unchecked() + stored("lender2").unchecked());
    }

    @Test
    void aReplicasOnlyLenderRunsReplicasButNothingAlone() throws Exception {
        start("verify-replicas-only", VerifyPolicy.defaults(), ReputationConfig.defaults(),
                struckRecord("lender1", ReputationConfig.DEFAULT_STRIKE_LIMIT));
        assertEquals(LenderTrust.Standing.REPLICAS_ONLY, server.reputation().standingOf("lender1"));
        RawLender restricted = lender("lender1");
        RawClient c = runner();
        long[] alone = submit(c, rcs("out x\nexit 0\n", 1));
        // the only lender online may run neither: the job alone is not for it, and the vote
        // waits (as it is, no replicas made) for lenders of two accounts
        long[] verified = submit(c, rcs("out v\nexit 0\n", 2));
        RawLender other = lender("lender2");
        Heard v = follow(c, (int) verified[0]);
        assertEquals(VoteState.VERIFIED, v.end().verification().state());
        Heard a = follow(c, (int) alone[0]);
        assertEquals(JobState.SUCCEEDED, a.end().state());
        assertEquals(1, restricted.runs.size(), "the job alone went to the other lender");
        assertEquals(verified[1], detailOfRun(restricted.runs.get(0)), "it ran a replica");
        assertEquals(2, other.runs.size());
    }

    /** The verified job a replica run belongs to, as the server stored it (its VERIFY_OF). */
    long detailOfRun(RawLender.Run r) {
        return server.database().inTransaction(tx -> tx.jobs().find(r.jobId())).orElseThrow()
                .getVerifyOf();
    }

    // ---- what is compared ---------------------------------------------------------------------

    @Test
    void aScriptThatIsNotDeterministicVerifiesOnItsExitCodeButNotOnItsOutput() throws Exception {
        start("verify-random", new VerifyPolicy(1, 3));
        lender("lender1");
        lender("lender2");
        lender("lender3");
        RawClient c = runner();
        long[] exit = submit(c, rcs("random\nexit 0\n", 2, Set.of(ComparePart.EXIT),
                WaitPolicy.QUEUE));
        Heard h = follow(c, (int) exit[0]);
        assertEquals(JobState.SUCCEEDED, h.end().state());
        assertEquals(VoteState.VERIFIED, h.end().verification().state());
        assertEquals("2/2 ✓", h.end().verification().label());
        assertEquals(Set.of(ComparePart.EXIT), h.end().verification().compared());

        long[] all = submit(c, rcs("random\nexit 0\n", 2));
        h = follow(c, (int) all[0]);
        assertEquals(JobState.UNVERIFIED, h.end().state(), h.end().reason());
        assertEquals(VoteState.UNVERIFIED, h.end().verification().state());
        assertEquals(3, h.end().verification().results(), "grew to --verify-max-replicas");
        assertEquals("", h.stdout(), "no output is served without a majority");
        assertTrue(h.end().reason().contains("no majority"), h.end().reason());
        JobDetail d = detail(c, all[1]);
        assertEquals(3, d.replicas().size());
        assertTrue(d.replicas().stream().noneMatch(ReplicaResult::majority));
        assertTrue(d.replicas().get(0).differences().isEmpty(), "the first is the reference");
        for (ReplicaResult r : d.replicas().subList(1, 3)) {
            assertEquals(1, r.differences().size(), r.differences().toString());
            assertTrue(r.differences().get(0).matches(
                    "stdout differs at line 1: '0\\.[0-9E-]+' / '0\\.[0-9E-]+'"),
                    r.differences().get(0));
        }
        // the history lists the job once, never its replicas
        Result.JobPage page = c.requestOk(new Message.History(null, null, 0, 50),
                Result.JobPage.class);
        assertEquals(List.of(all[1], exit[1]), page.jobs().stream().map(JobSummary::jobId)
                .toList());
        assertEquals("no majority", page.jobs().get(0).verification().label());
    }

    // ---- the door -----------------------------------------------------------------------------

    @Test
    void badVerificationIsRefusedAndTooFewAccountsAreExplained() throws Exception {
        start("verify-door", VerifyPolicy.defaults());
        lender("lender1");
        lender("lender2");
        RawClient c = runner();
        Message r = c.request(rcs("out x\n", 8));
        Message.Failure f = assertInstanceOf(Message.Failure.class, r);
        assertEquals(FailureKind.INVALID, f.kind());
        assertTrue(f.reason().startsWith("verify 8: a job runs on 1 to 7 lenders"), f.reason());

        Message nla = c.request(rcs("out x\n", 3, ComparePart.ALL, WaitPolicy.NLA_IF_BUSY));
        assertEquals("needs 3 lenders of different accounts, 2 online",
                assertInstanceOf(Message.NoLenders.class, nla).reason());

        int id = c.nextId();
        c.send(id, rcs("out three\nexit 0\n", 3));
        Result.JobAccepted a = (Result.JobAccepted) ((Message.Success) c.next(id)).result();
        assertEquals(JobState.QUEUED, a.state());
        assertEquals("needs 3 lenders of different accounts, 2 online", a.note());
        lender("lender3");
        Heard h = follow(c, id);
        assertEquals("3/3 ✓", h.end().verification().label());
        assertEquals("three\n", h.stdout());

        // unknown parts to compare never reach the server as such: the decoder refuses the bits
        byte[] p = Codec.payload(rcs("out x\n", 2));
        p[p.length - 1] = 0x30;
        c.sendRaw(new idle.shared.protocol.Frame(Code.RCS, c.nextId(), p).toBytes());
        assertTrue(c.closedByServer(WAIT), "a malformed RCS closes the connection");
    }

    // ---- spot checks and adaptive replication -------------------------------------------------

    /** Spot checks at every job, lender1 and lender2 TRUSTED from their records. */
    void startTrusted(String name, double spotCheckRate) throws Exception {
        int trustAfter = ReputationConfig.DEFAULT_TRUST_AFTER;
        start(name, VerifyPolicy.defaults(), ReputationConfig.defaults()
                .withSpotCheckRate(spotCheckRate), agreedRecord("lender1", trustAfter),
                agreedRecord("lender2", trustAfter));
        assertEquals(LenderTrust.Standing.TRUSTED, server.reputation().standingOf("lender1"));
        assertEquals(LenderTrust.Standing.TRUSTED, server.reputation().standingOf("lender2"));
    }

    @Test
    void spotChecksTurnADefaultedJobOnATrustedLenderIntoAVote() throws Exception {
        startTrusted("verify-spot", 1.0);
        long agreedBefore = stored("lender1").agreed();
        RawLender l1 = lender("lender1");
        RawLender l2 = lender("lender2");
        RawClient c = runner();
        // a job nobody asked to verify runs alone and is never checked, whatever the rate
        long[] alone = submit(c, rcs("out n\nexit 0\n", 1));
        Heard h = follow(c, (int) alone[0]);
        assertEquals(VoteState.NONE, h.end().verification().state(), "unasked: unchecked");
        assertEquals(1, l1.runs.size() + l2.runs.size());

        // alice's default is 2 replicas; a TRUSTED lender runs such a job alone, but with a
        // spot check drawn it is a vote of two all the same
        assertTrue(server.coordinator().verifyDefaults().set("alice", 2));
        long[] spot = submit(c, rcs("out s\nexit 0\n", 0));
        h = follow(c, (int) spot[0]);
        assertEquals(JobState.SUCCEEDED, h.end().state());
        assertEquals("2/2 ✓", h.end().verification().label(), "a spot check is a vote of two");
        assertEquals(3, l1.runs.size() + l2.runs.size());
        assertEquals(agreedBefore + 1, stored("lender1").agreed());
        assertEquals(agreedBefore + 1, stored("lender2").agreed());
    }

    /**
     * Adaptive replication without a spot check drawn: a TRUSTED lender runs a job that only a
     * default asked to verify alone; an explicit --verify 2 is always honoured. (With NEW
     * lenders a default is honoured as a vote: {@link #anAdminSetsAUsersDefaultAndBadValuesAreRefused}.)
     */
    @Test
    void trustedLendersRunDefaultedJobsAlone() throws Exception {
        startTrusted("verify-adaptive", 0);
        RawLender l1 = lender("lender1");
        RawLender l2 = lender("lender2");
        RawClient c = runner();
        assertTrue(server.coordinator().verifyDefaults().set("alice", 2));
        long[] adaptive = submit(c, rcs("out a\nexit 0\n", 0));
        Heard h = follow(c, (int) adaptive[0]);
        assertEquals(VoteState.NONE, h.end().verification().state(), "run alone");
        assertEquals("a\n", h.stdout());
        assertEquals(1, l1.runs.size() + l2.runs.size());
        long[] asked = submit(c, rcs("out b\nexit 0\n", 2));
        h = follow(c, (int) asked[0]);
        assertEquals("2/2 ✓", h.end().verification().label());
        assertEquals(3, l1.runs.size() + l2.runs.size());
    }

    /**
     * A spot check never makes a job wait: here the only other account's lender refuses every
     * job (and is benched for it), so the check's replica cannot start; the job ends with its
     * one result as if it had run alone, instead of waiting for the bench to end.
     */
    @Test
    void aSpotCheckWhoseReplicaCannotStartDoesNotHoldTheJob() throws Exception {
        startTrusted("verify-spot-refused", 1.0);
        LenderRecord refuserBefore = stored("lender2");
        // alice's jobs are verified by default, and trusted lenders run them alone, checked
        assertTrue(server.coordinator().verifyDefaults().set("alice", 2));
        RawLender honest = lender("lender1");
        try (RawClient refuser = RawClient.connect(server)) {
            refuser.loginOk("lender2", "pw-lender2");
            refuser.requestOk(new Message.MakeLender(RawLender.caps(4)), Result.Text.class);
            Thread.ofVirtual().start(() -> {
                while (true) {
                    Frame f = refuser.await(x -> x.code() == Code.EXF, Duration.ofSeconds(60));
                    if (f == null) {
                        return;
                    }
                    refuser.send(f.requestId(), new Message.Failure(
                            FailureKind.INTERNAL, "no sandbox today"));
                }
            });
            RawClient c = runner();
            for (int i = 0; i < 4; i++) {
                long[] j = submit(c, rcs("out s" + i + "\nexit 0\n", 0));
                Heard h = follow(c, (int) j[0]);
                assertEquals(JobState.SUCCEEDED, h.end().state(), h.end().reason());
                assertEquals("s" + i + "\n", h.stdout());
                assertEquals(VoteState.NONE, h.end().verification().state(),
                        "no check was made: " + h.end().verification());
            }
            assertEquals(4, honest.runs.size());
            assertEquals(4, stored("lender1").unchecked());
            assertEquals(refuserBefore.agreed(), stored("lender2").agreed());
            assertEquals(0, stored("lender2").disagreed());
        }
    }

    @Test
    void anAdminSetsAUsersDefaultAndBadValuesAreRefused() throws Exception {
        start("verify-admin", VerifyPolicy.defaults());
        RawClient root = RawClient.connect(server);
        open.add(root);
        root.loginOk("root", "pw-root");
        for (String bad : List.of("8", "-1", "two")) {
            Message r = root.request(new Message.Admin(List.of("user", "set-verify", "alice",
                    bad)));
            Message.Failure f = assertInstanceOf(Message.Failure.class, r, bad);
            assertEquals(FailureKind.INVALID, f.kind());
            assertTrue(f.reason().startsWith("set-verify " + bad + ": "), f.reason());
        }
        Message none = root.request(new Message.Admin(List.of("user", "set-verify", "nobody",
                "2")));
        assertEquals(FailureKind.NOT_FOUND, assertInstanceOf(Message.Failure.class, none).kind());
        Result.Text ok = root.requestOk(new Message.Admin(List.of("user", "set-verify", "alice",
                "2")), Result.Text.class);
        assertTrue(ok.text().contains("2 lenders of different accounts"), ok.text());
        lender("lender1");
        lender("lender2");
        RawClient c = runner();
        Heard h = follow(c, (int) submit(c, rcs("out d\nexit 0\n", 0))[0]);
        assertEquals("2/2 ✓", h.end().verification().label(), "alice's default applies");
        Heard once = follow(c, (int) submit(c, rcs("out d\nexit 0\n", 1))[0]);
        assertEquals(VoteState.NONE, once.end().verification().state(), "--verify 1 is honoured");
        root.requestOk(new Message.Admin(List.of("user", "set-verify", "alice", "0")),
                Result.Text.class);
        Heard back = follow(c, (int) submit(c, rcs("out d\nexit 0\n", 0))[0]);
        assertEquals(VoteState.NONE, back.end().verification().state(), "the server's default");
    }

    @Test
    void cancellingAVerifiedJobCancelsItsReplicas() throws Exception {
        start("verify-cancel", VerifyPolicy.defaults());
        RawLender l1 = lender("lender1");
        RawLender l2 = lender("lender2");
        RawClient c = runner();
        long[] j = submit(c, rcs("wait\nexit 0\n", 2));
        assertTrue(l1.awaitRuns(1, WAIT) && l2.awaitRuns(1, WAIT));
        c.requestOk(new Message.Cancel(j[1]), Result.Empty.class);
        Heard h = follow(c, (int) j[0]);
        assertEquals(JobState.CANCELLED, h.end().state());
        assertTrue(Poll.until(() -> l1.cancels.size() == 1 && l2.cancels.size() == 1, WAIT),
                "both replicas were killed");
        assertTrue(Poll.until(() -> server.coordinator().activeJobs() == 0, WAIT),
                "nothing of the vote stays active");
        assertNotNull(detail(c, j[1]));
    }

    @Test
    void aRunnerCannotReachTheReplicasOfItsJobByTheirIds() throws Exception {
        start("verify-replica-ids", VerifyPolicy.defaults());
        RawLender l1 = lender("lender1");
        RawLender l2 = lender("lender2");
        RawClient c = runner();
        long[] j = submit(c, rcs("out r\nfile f.txt data\nwait\nexit 0\n", 2));
        assertTrue(l1.awaitRuns(1, WAIT) && l2.awaitRuns(1, WAIT));
        for (long replica : List.of(l1.runs.get(0).jobId(), l2.runs.get(0).jobId())) {
            assertTrue(replica != j[1]);
            for (Message m : List.of(new Message.JobQuery(replica), new Message.Cancel(replica),
                    new Message.Attach(replica, 0, false), new Message.LenderOf(replica),
                    new Message.GetOutputFile(replica, "f.txt"))) {
                Message r = c.request(m);
                assertEquals(FailureKind.NOT_FOUND, assertInstanceOf(Message.Failure.class, r,
                        m.code() + " of replica " + replica + ": " + r).kind(), r.toString());
            }
        }
        assertTrue(l1.cancels.isEmpty() && l2.cancels.isEmpty(), "no replica was cancelled");
        l1.release(l1.runs.get(0).jobId());
        l2.release(l2.runs.get(0).jobId());
        Heard h = follow(c, (int) j[0]);
        assertEquals("2/2 ✓", h.end().verification().label());
        assertEquals("r\n", h.stdout());
        Result.JobPage page = c.requestOk(new Message.History(null, null, 0, 50),
                Result.JobPage.class);
        assertEquals(List.of(j[1]), page.jobs().stream().map(JobSummary::jobId).toList());
        // the job's file is the winner's, served under the job's own id
        int id = c.nextId();
        c.send(id, new Message.GetOutputFile(j[1], "f.txt"));
        assertInstanceOf(Message.TakeOutputFile.class, c.next(id));
    }
}
