package idle.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The two measured runs of the prototype, shared by the contract test and the benchmark:
 * the claim rate of 1, 2, 4... coordinators draining a queue, and a chaos run in which
 * coordinators are paused at random (their lease lapses, a peer or their next incarnation fences
 * them) and then write late.
 */
final class ClusterRuns {
    private ClusterRuns() {
    }

    /** One claim-rate run: every job claimed once and ended once, no failures. */
    record Rate(int coordinators, int jobs, double seconds, long collisions, long retries,
            long cpuNanos, HistoryCheck.Result history) {
        double jobsPerSecond() {
            return jobs / seconds;
        }

        /** CPU of the coordinator threads per job (with embedded Derby: the database's work too). */
        double cpuMicrosPerJob() {
            return cpuNanos / 1000.0 / jobs;
        }

        @Override
        public String toString() {
            return String.format("%d coordinator(s): %,d jobs in %.2f s = %,.0f claims/s (each also ended),"
                    + " %.0f us CPU/job in the coordinators' threads, %,d claim collisions, %d retried transactions,"
                    + " %d takeovers",
                    coordinators, jobs, seconds, jobsPerSecond(), cpuMicrosPerJob(), collisions, retries,
                    history.fences());
        }
    }

    /** What a chaos run did and saw. */
    record Chaos(int coordinators, int jobs, long leaseMillis, List<Long> peerTakeoverMillis,
            List<Long> restartFenceMillis, int lateTransactions, int lateAccepted, int victimsFencedOut,
            List<Lease> killed, List<Takeover> takeovers, HistoryCheck.Result history, double seconds) {

        long requeued() {
            return takeovers.stream().mapToLong(t -> t.requeued().size()).sum();
        }

        @Override
        public String toString() {
            return String.format("chaos: %d coordinators, %,d jobs, lease %d ms, %d paused: taken over by a peer"
                    + " after %s ms (pause to re-queue committed), fenced by their next incarnation after %s ms;"
                    + " %d takeovers re-queued %d jobs; %d late transactions, %d accepted; %.1f s",
                    coordinators, jobs, leaseMillis, killed.size(), peerTakeoverMillis, restartFenceMillis,
                    takeovers.size(), requeued(), lateTransactions, lateAccepted, seconds);
        }
    }

    /** {@code coordinators} coordinators drain {@code jobs} queued jobs; each ends a job at its next step. */
    static Rate rate(ClusterDb db, int coordinators, int jobs, int slots) throws Exception {
        ClusterSchema.create(db, coordinators);
        ClusterSchema.queue(db, 1, jobs, 8);
        SimCoordinator.Config cfg = new SimCoordinator.Config(slots, 0, 5_000, SimCoordinator.Fencing.LEASE_AND_JOB);
        long t0;
        long t1;
        List<SimCoordinator> cs;
        try (Cluster cluster = new Cluster(db, cfg, 42)) {
            t0 = System.nanoTime();
            for (int n = 1; n <= coordinators; n++) {
                cluster.start(n);
            }
            cluster.awaitFinished(jobs);
            t1 = System.nanoTime();
            cs = cluster.started();
        }
        long collisions = cs.stream().mapToLong(SimCoordinator::collisions).sum();
        long retries = cs.stream().mapToLong(SimCoordinator::retries).sum();
        cs.stream().filter(c -> c.lastRetry() != null).forEach(c -> System.out.println("[cluster] retried: " + c.lastRetry()));
        long cpu = cs.stream().mapToLong(SimCoordinator::cpuNanos).sum();
        for (SimCoordinator c : cs) {
            if (c.failure() != null) {
                throw new IllegalStateException("coordinator " + c.lease() + " failed", c.failure());
            }
        }
        return new Rate(coordinators, jobs, (t1 - t0) / 1e9, collisions, retries, cpu, history(db));
    }

    /**
     * {@code coordinators} coordinators run {@code jobs} jobs of 20 ms on 16 slots each while
     * {@code kills} of them, one at a time and at random moments, are paused. Two out of three are
     * left until a peer takes over their expired lease, the third is fenced by its next
     * incarnation joining at once; each then writes late, and a new incarnation replaces it.
     */
    static Chaos chaos(ClusterDb db, int coordinators, int jobs, int kills, long leaseMillis, long seed)
            throws Exception {
        ClusterSchema.create(db, coordinators);
        ClusterSchema.queue(db, 1, jobs, 8);
        SimCoordinator.Config cfg = new SimCoordinator.Config(16, 20, leaseMillis, SimCoordinator.Fencing.LEASE_AND_JOB);
        Random random = new Random(seed);
        List<Long> peer = new ArrayList<>();
        List<Long> restart = new ArrayList<>();
        List<Lease> killed = new ArrayList<>();
        List<SimCoordinator> victims = new ArrayList<>();
        List<Takeover> takeovers;
        long t0 = System.nanoTime();
        try (Cluster cluster = new Cluster(db, cfg, seed)) {
            Map<Integer, SimCoordinator> live = new HashMap<>();
            for (int n = 1; n <= coordinators; n++) {
                live.put(n, cluster.start(n));
            }
            for (int k = 0, tries = 0; k < kills; k++) {
                long at = (long) jobs * (k + 1) / (kills + 2) + random.nextInt(Math.max(1, jobs / (4 * kills + 8)));
                cluster.awaitFinished(at);
                replaceFencedOut(cluster, live);
                int node = 1 + random.nextInt(coordinators);
                SimCoordinator victim = live.get(node);
                Lease lease = victim.lease();
                if (!victim.pause(Cluster.TIMEOUT_MILLIS)) {
                    if (++tries > 3 * kills) {
                        throw new IllegalStateException("coordinators keep losing their leases before a pause");
                    }
                    k--; // it was fenced just before: replaced below, then paused again
                    replaceFencedOut(cluster, live);
                    continue;
                }
                killed.add(lease);
                victims.add(victim);
                SimCoordinator next;
                if (k % 3 == 2) {
                    next = cluster.start(node);
                    restart.add(cluster.awaitTakeover(lease).atMillis() - victim.pausedAt());
                } else {
                    peer.add(cluster.awaitTakeover(lease).atMillis() - victim.pausedAt());
                    next = cluster.start(node);
                }
                victim.release(Cluster.TIMEOUT_MILLIS);
                live.put(node, next);
            }
            replaceFencedOut(cluster, live);
            cluster.awaitDrained();
            takeovers = cluster.takeovers();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int late = victims.stream().mapToInt(SimCoordinator::lateTransactions).sum();
        int accepted = victims.stream().mapToInt(SimCoordinator::lateAccepted).sum();
        int fencedOut = (int) victims.stream().filter(SimCoordinator::fencedOut).count();
        return new Chaos(coordinators, jobs, leaseMillis, peer, restart, late, accepted, fencedOut,
                killed, takeovers, history(db), seconds);
    }

    /**
     * A live coordinator stalled longer than its lease on a loaded machine is fenced like a dead
     * one (that is correct, and safe); it exits, so a new incarnation takes its place.
     */
    private static void replaceFencedOut(Cluster cluster, Map<Integer, SimCoordinator> live)
            throws InterruptedException {
        cluster.failIfBroken();
        for (Map.Entry<Integer, SimCoordinator> e : live.entrySet()) {
            if (e.getValue().fencedOut()) {
                e.setValue(cluster.start(e.getKey()));
            }
        }
    }

    static HistoryCheck.Result history(ClusterDb db) throws SQLException {
        try (Connection c = db.connect()) {
            return HistoryCheck.check(c);
        }
    }
}
