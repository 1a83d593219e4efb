package idle.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The prototype's contract, the same on every database: several coordinators sharing one
 * database claim jobs by conditional UPDATE under a lease with a fencing epoch; coordinators
 * that stop (and then write late, like a process back from a long GC pause) lose nothing and
 * repeat nothing. A subclass gives the database ({@link DerbyClaimTakeoverTest} always;
 * {@link PostgresClaimTakeoverTest} when a PostgreSQL URL is given). See docs/SCALING.md.
 */
abstract class ClaimTakeoverContract {

    /** A fresh, empty database for one test. */
    abstract ClusterDb database() throws Exception;

    /** Jobs for the chaos run (kept small enough for {@code ./idle test}). */
    int chaosJobs() {
        return 4_000;
    }

    @Test
    void pausedCoordinatorsAreTakenOverOnceAndNothingIsLostOrDoneTwice() throws Exception {
        int jobs = chaosJobs();
        ClusterRuns.Chaos run = ClusterRuns.chaos(database(), 4, jobs, 6, 500, 17);
        System.out.println("[cluster] " + getClass().getSimpleName() + " " + run);
        HistoryCheck.Result h = run.history();
        assertEquals(List.of(), h.violations(), "the committed history breaks a rule");
        assertEquals(jobs, h.finishes(), "every job ended exactly once");
        assertEquals(6, run.killed().size());
        assertTrue(!run.peerTakeoverMillis().isEmpty() && !run.restartFenceMillis().isEmpty(),
                "both kinds of takeover happened");
        for (Lease dead : run.killed()) {
            List<Takeover> of = run.takeovers().stream().filter(t -> t.fenced().equals(dead)).toList();
            assertEquals(1, of.size(), dead + " taken over once");
            List<Long> said = of.get(0).requeued();
            assertEquals(said.size(), new HashSet<>(said).size(), "each of its jobs re-queued once");
            assertEquals(new HashSet<>(said), new HashSet<>(h.requeuedByFence().getOrDefault(dead, List.of())),
                    "what the taker re-queued is what the history shows");
        }
        assertTrue(run.requeued() > 0, "some killed coordinator had jobs running");
        assertEquals(6, run.lateTransactions(), "every paused coordinator tried to write late");
        assertEquals(0, run.lateAccepted(), "no late write of a fenced coordinator was accepted");
        assertEquals(6, run.victimsFencedOut());
        assertEquals(run.takeovers().size(), h.fences(), "a fence event per takeover");
        // the takeover times are figures, not a contract: a coordinator stalled by a loaded
        // machine may have let its lease lapse before it was paused
    }

    @Test
    void lateWriteOfAFencedCoordinatorIsRefused() throws Exception {
        Scenario s = lateWriteScenario(SimCoordinator.Fencing.LEASE_AND_JOB, 8);
        assertTrue(s.paused.fencedOut(), "the paused coordinator learnt it was fenced");
        assertEquals(1, s.paused.lateTransactions());
        assertEquals(0, s.paused.lateAccepted());
        assertEquals(List.of(), s.history.violations());
        assertEquals(4, s.history.requeues(), "its four running jobs went back to the queue");
        assertEquals(8 + 4, s.history.claims(), "four jobs claimed again by the peer");
        assertEquals(0, s.history.finishes());
    }

    /**
     * Negative control: with heartbeats but no fence at all, the paused coordinator ends jobs
     * its peer now runs; the history check must see it.
     */
    @Test
    void withoutFencingTheLateWriteEndsAPeersJobAndTheHistoryShowsIt() throws Exception {
        Scenario s = lateWriteScenario(SimCoordinator.Fencing.NONE, 8);
        assertEquals(1, s.paused.lateAccepted(), "the unfenced late write went through");
        assertFalse(s.history.violations().isEmpty(), "the check must catch the double owner");
        assertTrue(s.history.violations().get(0).contains("FINISH"), s.history.violations().toString());
    }

    /**
     * Negative control for the lease row: each job's compare-and-set alone stops the late ends,
     * but not a late claim of a QUEUED job under the fenced epoch, a job nobody would ever
     * re-queue (its epoch was fenced already). Why every transaction starts with the fence.
     */
    @Test
    void withOnlyTheJobCheckALateClaimTakesJobsUnderAFencedLease() throws Exception {
        Scenario s = lateWriteScenario(SimCoordinator.Fencing.JOB_ONLY, 16);
        assertEquals(1, s.paused.lateAccepted(), "the late claim went through");
        assertFalse(s.history.violations().isEmpty(), "the check must catch the claim");
        assertTrue(s.history.violations().get(0).contains("CLAIM")
                && s.history.violations().get(0).contains("fenced"), s.history.violations().toString());
    }

    @Test
    void oneTwoAndFourCoordinatorsDrainTheQueueEachJobOnce() throws Exception {
        for (int n : new int[] {1, 2, 4}) {
            ClusterRuns.Rate r = ClusterRuns.rate(database(), n, 1_000, 32);
            System.out.println("[cluster] " + getClass().getSimpleName() + " " + r);
            assertEquals(List.of(), r.history().violations());
            assertEquals(1_000, r.history().claims(), "no job claimed twice when nobody dies");
            assertEquals(1_000, r.history().finishes());
        }
    }

    private record Scenario(SimCoordinator paused, HistoryCheck.Result history) {
    }

    /**
     * Coordinator 1 (4 slots) claims four jobs (they run "for a minute") and pauses;
     * coordinator 2 (8 slots) claims what it can, takes over 1 when its lease lapses and, with
     * 8 jobs queued, claims 1's four again; then 1 wakes and tries to end its four and claim more.
     */
    private Scenario lateWriteScenario(SimCoordinator.Fencing fencing, int jobs) throws Exception {
        ClusterDb db = database();
        ClusterSchema.create(db, 2);
        ClusterSchema.queue(db, 1, jobs, 2);
        SimCoordinator.Config one = new SimCoordinator.Config(4, 60_000, 300, fencing);
        SimCoordinator.Config two = new SimCoordinator.Config(8, 60_000, 300, fencing);
        try (Cluster first = new Cluster(db, one, 1); Cluster second = new Cluster(db, two, 2)) {
            SimCoordinator a = first.start(1);
            awaitClaims(a, 4);
            Lease old = a.lease();
            assertTrue(a.pause(Cluster.TIMEOUT_MILLIS), "nobody else could have fenced it");
            SimCoordinator b = second.start(2);
            Takeover t = second.awaitTakeover(old);
            assertEquals(4, t.requeued().size(), "the paused coordinator's jobs, each once");
            awaitClaims(b, 8);
            a.release(Cluster.TIMEOUT_MILLIS);
            second.failIfBroken();
            return new Scenario(a, ClusterRuns.history(db));
        }
    }

    private static void awaitClaims(SimCoordinator c, long n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + Cluster.TIMEOUT_MILLIS;
        while (c.claims() < n) {
            if (c.failure() != null) {
                throw new IllegalStateException("coordinator failed", c.failure());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(c.lease() + " claimed " + c.claims() + " of " + n);
            }
            Thread.sleep(2); // poll interval; the deadline decides
        }
    }

}
