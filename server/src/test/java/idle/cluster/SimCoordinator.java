package idle.cluster;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated coordinator incarnation: its own JDBC connection, a number of lender slots, and
 * a loop that, in one transaction per step, proves its lease is current ({@link LeaseTable#fence},
 * which also renews it), claims queued jobs for its free slots and ends the jobs whose simulated
 * run is over. Every few steps it looks for peers whose lease expired and takes them over
 * (fences them and re-queues their running jobs in the same transaction).
 *
 * <p>Life cycle: {@link #start} joins (raising the node's epoch, which fences any previous
 * incarnation) and runs on its own platform thread until {@link #stop}, until it finds itself
 * fenced, or, after {@link #pause}, until {@link #release}: a pause is a process that stopped
 * between two steps (a long GC, a frozen VM) and keeps its memory; released, it tries to write
 * what it had (finish its jobs, claim more) exactly as if nothing happened, and then exits.
 *
 * <p>Threads: the loop runs on its own thread; the other methods may be called from any thread.
 */
final class SimCoordinator implements Runnable {

    /**
     * @param slots jobs it runs at once (its lenders' free slots)
     * @param runMillis how long a claimed job runs before it is ended (0: at the next step)
     * @param leaseMillis lease length; renewed every step and at least every third of it
     * @param fencing {@link Fencing#LEASE_AND_JOB} but in the negative tests
     */
    record Config(int slots, long runMillis, long leaseMillis, Fencing fencing) {
        boolean leaseFenced() {
            return fencing == Fencing.LEASE_AND_JOB;
        }
    }

    /** What guards a coordinator's writes; the weaker two exist to show that they fail. */
    enum Fencing {
        /** The design: the lease row's epoch in every transaction, and each job's owner. */
        LEASE_AND_JOB,
        /** Each job's owner only (compare-and-set), heartbeats without an epoch check. */
        JOB_ONLY,
        /** Neither: heartbeats, and a coordinator ends the jobs it believes it runs. */
        NONE
    }

    /** Told of every takeover this coordinator committed (a peer's lease or its own previous). */
    interface Observer {
        void takenOver(Takeover t);
    }

    private final ClusterDb db;
    private final LeaseTable leases;
    private final JobTable jobs;
    private final int node;
    private final Config cfg;
    private final Observer observer;
    private final Random random;
    private final Object wake = new Object();
    private final CountDownLatch joined = new CountDownLatch(1);
    private final CountDownLatch parked = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch exited = new CountDownLatch(1);
    /** Running jobs: id to the time it was claimed. Loop thread only. */
    private final Map<Long, Long> held = new LinkedHashMap<>();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong claims = new AtomicLong();
    private volatile Lease lease;
    private volatile boolean stopping;
    private volatile boolean pauseRequested;
    private volatile long pausedAt;
    private volatile Throwable failure;
    private volatile boolean fencedOut;
    private volatile int lateTransactions;
    private volatile int lateAccepted;
    private volatile long collisions;
    private volatile long retries;
    private volatile String lastRetry;
    private volatile long cpuNanos;
    private long lastRenew;
    private long lastScan;
    private boolean queueSeemedEmpty;

    SimCoordinator(ClusterDb db, int node, Config cfg, Observer observer, long seed) {
        this.db = db;
        this.leases = new LeaseTable(db.dialect());
        this.jobs = new JobTable(db.dialect());
        this.node = node;
        this.cfg = cfg;
        this.observer = observer;
        this.random = new Random(seed);
    }

    /** Starts the loop on a thread of its own; returns once it joined (or failed to). */
    SimCoordinator start(long timeoutMillis) throws InterruptedException {
        Thread.ofPlatform().name("sim-coordinator-" + node).daemon(true).start(this);
        if (!joined.await(timeoutMillis, TimeUnit.MILLISECONDS) && failure == null) {
            throw new IllegalStateException("node " + node + " did not join in " + timeoutMillis + " ms");
        }
        if (failure != null) {
            throw new IllegalStateException("node " + node + " failed to join", failure);
        }
        return this;
    }

    @Override
    public void run() {
        Connection c = null;
        try {
            c = db.connect();
            join(c);
            while (!stopping) {
                if (pauseRequested) {
                    pausedAt = System.currentTimeMillis();
                    parked.countDown();
                    released.await();
                    lateWrite(c);
                    return;
                }
                long now = System.currentTimeMillis();
                if (now - lastScan >= cfg.leaseMillis() / 4) {
                    lastScan = now;
                    if (!takeOverExpired(c)) {
                        return;
                    }
                }
                long idle = step(c);
                if (idle < 0) {
                    return;
                }
                if (idle > 0) {
                    synchronized (wake) {
                        if (!stopping && !pauseRequested) {
                            wake.wait(idle); // the simulated lenders' next event, or a heartbeat
                        }
                    }
                }
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            closeQuietly(c);
            cpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            joined.countDown();
            parked.countDown(); // a pause that comes too late finds it gone
            exited.countDown();
        }
    }

    private void join(Connection c) throws SQLException {
        long now = System.currentTimeMillis();
        Lease[] got = leases.join(c, node, now + cfg.leaseMillis());
        List<Long> requeued = got[1] == null ? List.of() : jobs.requeue(c, got[1], node, now);
        c.commit();
        lease = got[0];
        lastRenew = now;
        if (got[1] != null) {
            observer.takenOver(new Takeover(got[1], node, requeued, System.currentTimeMillis()));
        }
        joined.countDown();
    }

    /**
     * One transaction: fence and renew, end due jobs, claim for free slots.
     *
     * @return -1 when fenced, 0 to step again at once, else milliseconds with nothing to do
     */
    private long step(Connection c) throws SQLException {
        long now = System.currentTimeMillis();
        List<Long> due = new ArrayList<>();
        long nextDue = Long.MAX_VALUE;
        for (Map.Entry<Long, Long> e : held.entrySet()) {
            long at = e.getValue() + cfg.runMillis();
            if (at <= now) {
                due.add(e.getKey());
            } else {
                nextDue = Math.min(nextDue, at);
            }
        }
        int free = cfg.slots() - held.size() + due.size();
        long heartbeatAt = lastRenew + cfg.leaseMillis() / 3;
        boolean heartbeat = now >= heartbeatAt;
        boolean wantClaim = free > 0 && (!queueSeemedEmpty || heartbeat);
        if (due.isEmpty() && !wantClaim && !heartbeat) {
            return Math.max(1, Math.min(nextDue, heartbeatAt) - now);
        }
        JobTable.Step got;
        try {
            if (!cfg.leaseFenced()) {
                leases.renewUnfenced(c, node, now + cfg.leaseMillis());
            } else if (!leases.fence(c, lease, now + cfg.leaseMillis())) {
                c.rollback();
                fencedOut = true;
                return -1;
            }
            List<Long> candidates = wantClaim ? jobs.candidates(c, free, random) : List.of();
            got = jobs.write(c, lease, candidates, due, candidates.size(), now);
            if (got.ended() != due.size()) {
                throw new IllegalStateException(lease + " lost " + (due.size() - got.ended())
                        + " of its jobs while its lease stood");
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            if (!Dialect.retryable(e)) {
                throw e;
            }
            retries++;
            lastRetry = e.getMessage();
            return 0;
        }
        lastRenew = now;
        for (Long id : due) {
            held.remove(id);
        }
        for (Long id : got.claimed()) {
            held.put(id, now);
        }
        finished.addAndGet(due.size());
        claims.addAndGet(got.claimed().size());
        collisions += got.collisions();
        queueSeemedEmpty = wantClaim && got.candidates() == 0;
        if (!due.isEmpty() || !got.claimed().isEmpty() || got.collisions() > 0) {
            return 0;
        }
        long next = lastRenew + cfg.leaseMillis() / 3;
        for (long at : held.values()) {
            next = Math.min(next, at + cfg.runMillis());
        }
        return Math.max(1, next - System.currentTimeMillis());
    }

    /** @return false when this coordinator found itself fenced */
    private boolean takeOverExpired(Connection c) throws SQLException {
        long now = System.currentTimeMillis();
        List<Lease> expired = leases.expired(c, node, now);
        c.commit();
        for (Lease dead : expired) {
            try {
                // lease rows are locked in node order, so two coordinators taking each other
                // over at once (both stalled past their lease) cannot wait for each other
                boolean fencedDead = dead.node() < node && leases.takeOver(c, dead, now);
                if (cfg.leaseFenced() && !leases.fence(c, lease, now + cfg.leaseMillis())) {
                    c.rollback();
                    fencedOut = true;
                    return false;
                }
                if (dead.node() > node) {
                    fencedDead = leases.takeOver(c, dead, now);
                }
                if (!fencedDead) {
                    c.rollback(); // it renewed, or a peer was faster
                    continue;
                }
                List<Long> ids = jobs.requeue(c, dead, node, now);
                c.commit();
                lastRenew = now;
                observer.takenOver(new Takeover(dead, node, ids, System.currentTimeMillis()));
            } catch (SQLException e) {
                c.rollback();
                if (!Dialect.retryable(e)) {
                    throw e;
                }
                retries++;
            }
        }
        return true;
    }

    /** After a pause: the writes it would have made next, unaware that time passed. */
    private void lateWrite(Connection c) throws SQLException {
        long now = System.currentTimeMillis();
        lateTransactions++;
        if (cfg.leaseFenced() && !leases.fence(c, lease, now + cfg.leaseMillis())) {
            c.rollback();
            fencedOut = true;
            return;
        }
        int changed;
        if (cfg.fencing() == Fencing.NONE) {
            changed = jobs.endUnchecked(c, lease, new ArrayList<>(held.keySet()), now);
        } else {
            // it believes it runs its held jobs, so it would not claim them even if they read as
            // queued (they do once re-queued): it claims others, as many as its slots
            List<Long> candidates = new ArrayList<>(jobs.candidates(c, cfg.slots() + held.size(), random));
            candidates.removeAll(held.keySet());
            candidates = candidates.subList(0, Math.min(cfg.slots(), candidates.size()));
            JobTable.Step got = jobs.write(c, lease, candidates, new ArrayList<>(held.keySet()),
                    candidates.size(), now);
            changed = got.claimed().size() + got.ended();
        }
        c.commit();
        if (changed > 0) {
            lateAccepted++;
        }
    }

    /** Derby refuses to close a connection in a transaction: roll back whatever was open. */
    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
            c.close();
        } catch (SQLException e) {
            // the thread is ending; the database rolls back what a dropped connection left
        }
    }

    /**
     * Stops between two steps and stays stopped, holding its memory, until {@link #release}.
     *
     * @return false when it had already ended (fenced, because a loaded machine stalled it past
     *     its lease) and so could not be paused
     */
    boolean pause(long timeoutMillis) throws InterruptedException {
        pauseRequested = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (!parked.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(lease + " did not pause in " + timeoutMillis + " ms");
        }
        if (failure != null) {
            throw new IllegalStateException(lease + " failed", failure);
        }
        return pausedAt != 0;
    }

    /** Lets a paused coordinator run again (it attempts its late writes and exits). */
    void release(long timeoutMillis) throws InterruptedException {
        released.countDown();
        awaitExit(timeoutMillis);
    }

    void stop(long timeoutMillis) throws InterruptedException {
        stopping = true;
        released.countDown();
        synchronized (wake) {
            wake.notifyAll();
        }
        awaitExit(timeoutMillis);
    }

    private void awaitExit(long timeoutMillis) throws InterruptedException {
        if (!exited.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(lease + " did not exit in " + timeoutMillis + " ms");
        }
    }

    int node() {
        return node;
    }

    Lease lease() {
        return lease;
    }

    /** Epoch milliseconds when it paused (its last commit was before that). */
    long pausedAt() {
        return pausedAt;
    }

    /** What went wrong on its thread, or null. */
    Throwable failure() {
        return failure;
    }

    boolean fencedOut() {
        return fencedOut;
    }

    int lateTransactions() {
        return lateTransactions;
    }

    /** Late transactions that committed a change: must be 0 when fenced. */
    int lateAccepted() {
        return lateAccepted;
    }

    long finished() {
        return finished.get();
    }

    long claims() {
        return claims.get();
    }

    long collisions() {
        return collisions;
    }

    long retries() {
        return retries;
    }

    /** Why the database last rolled a transaction back (a deadlock, a lock timeout), or null. */
    String lastRetry() {
        return lastRetry;
    }

    /** CPU time of its thread (the JDBC driver's, and embedded Derby's, work); set at exit. */
    long cpuNanos() {
        return cpuNanos;
    }
}
