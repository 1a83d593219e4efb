package idle.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The simulated coordinators of one run and what they report: starts incarnations, collects
 * every takeover, waits for the queue to drain. All waits are on events or polls with a
 * deadline.
 */
final class Cluster implements AutoCloseable, SimCoordinator.Observer {
    static final long TIMEOUT_MILLIS = 60_000;

    private final ClusterDb db;
    private final SimCoordinator.Config config;
    private final List<SimCoordinator> started = new CopyOnWriteArrayList<>();
    private final List<Takeover> takeovers = new CopyOnWriteArrayList<>();
    private long seed;

    Cluster(ClusterDb db, SimCoordinator.Config config, long seed) {
        this.db = db;
        this.config = config;
        this.seed = seed;
    }

    /** A new incarnation of {@code node}, joined (its previous one, if live, is fenced). */
    SimCoordinator start(int node) throws InterruptedException {
        SimCoordinator c = new SimCoordinator(db, node, config, this, seed++);
        started.add(c);
        return c.start(TIMEOUT_MILLIS);
    }

    @Override
    public void takenOver(Takeover t) {
        synchronized (takeovers) {
            takeovers.add(t);
            takeovers.notifyAll();
        }
    }

    /** Waits until {@code lease} was fenced by someone; returns how. */
    Takeover awaitTakeover(Lease lease) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        synchronized (takeovers) {
            while (true) {
                Optional<Takeover> t = takeovers.stream().filter(x -> x.fenced().equals(lease)).findFirst();
                if (t.isPresent()) {
                    return t.get();
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new IllegalStateException(lease + " was not taken over in " + TIMEOUT_MILLIS + " ms");
                }
                takeovers.wait(left);
            }
        }
    }

    /** Polls (every 5 ms, with the deadline) until every job is DONE. */
    void awaitDrained() throws SQLException, InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        try (Connection c = db.connect()) {
            long left;
            while ((left = ClusterSchema.unfinished(c)) > 0) {
                failIfBroken();
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(left + " jobs not done after " + TIMEOUT_MILLIS + " ms");
                }
                Thread.sleep(5); // poll interval, not synchronisation: the deadline decides
            }
            c.commit();
        }
    }

    /** Polls until the live coordinators together ended at least {@code jobs} jobs. */
    void awaitFinished(long jobs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (finished() < jobs) {
            failIfBroken();
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("only " + finished() + " of " + jobs + " jobs ended in time");
            }
            Thread.sleep(1);
        }
    }

    long finished() {
        return started.stream().mapToLong(SimCoordinator::finished).sum();
    }

    /** A coordinator thread that died of an exception fails the run at once. */
    void failIfBroken() {
        for (SimCoordinator c : started) {
            if (c.failure() != null) {
                throw new IllegalStateException("coordinator " + c.lease() + " failed", c.failure());
            }
        }
    }

    List<SimCoordinator> started() {
        return List.copyOf(started);
    }

    List<Takeover> takeovers() {
        synchronized (takeovers) {
            return new ArrayList<>(takeovers);
        }
    }

    /** Stops every incarnation still running (interrupts count as a failure of the run). */
    @Override
    public void close() {
        try {
            for (SimCoordinator c : started) {
                c.stop(TIMEOUT_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the coordinators", e);
        }
    }
}
