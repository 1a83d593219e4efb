package idle.server.dispatch;

import idle.shared.model.JobNeeds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The queue and the lender registry, as plain data (not thread-safe: the
 * {@link JobStateMachine} guards it with its lock).
 *
 * <p>Fairness: each runner (owner) has its own FIFO queue, and owners with waiting jobs take
 * turns in a round-robin ring, one job per turn. So a runner with 500 queued jobs gets every other
 * free slot when a second runner has one job waiting, never all of them. Within an owner, a job
 * that no free lender can run does not block the owner's later jobs (up to {@link #LOOKAHEAD}).
 *
 * <p>Lend-to-earn (issue 13): an owner's turn takes as many jobs as its weight (a deficit round
 * robin: the fraction left over carries to its next turn, and is dropped when it has nothing
 * to take), so owners get free slots in proportion to their weights. Weights come from the
 * owner's lending credit and are at least 1; when every weight is 1 the order is the plain ring
 * above.
 */
final class Scheduler {
    static final int LOOKAHEAD = 16;
    /** Largest weight used, whatever the function says: bounds one owner's run of turns. */
    static final double MAX_WEIGHT = 10_000;

    private final Map<String, ArrayDeque<ActiveJob>> queues = new HashMap<>();
    private final ArrayDeque<String> ring = new ArrayDeque<>();
    /** An owner's weight, at least 1 (read under the lock, so it must not block). */
    private final ToDoubleFunction<String> ownerWeight;
    /** Jobs the owner at the front of the ring may still take in its current turn. */
    private double turnLeft;
    /** Fractions of a job owners left over from their last turn (only owners in the ring). */
    private final Map<String, Double> carried = new HashMap<>();

    /** Every owner weighs 1 (plain round robin) and every lender may take every job. */
    Scheduler() {
        this(owner -> 1);
    }

    /** Every lender may take every job; owners weigh {@code ownerWeight}. */
    Scheduler(ToDoubleFunction<String> ownerWeight) {
        this((job, lender) -> true, ownerWeight);
    }
    private int queued;
    /** Online lenders in registration order; {@link #free} those with a free slot. */
    private final LinkedHashSet<LenderHandle> lenders = new LinkedHashSet<>();
    private final LinkedHashSet<LenderHandle> free = new LinkedHashSet<>();
    private final Admission admission;

    /** Whether a lender may be given a job at all (lender standing, a vote's other replicas). */
    @FunctionalInterface
    interface Admission {
        boolean admits(ActiveJob job, LenderHandle lender);
    }

    /**
     * @param admission which lenders may be given which jobs ({@link Votes#admitsLocked})
     * @param ownerWeight an owner's share weight (below 1, NaN: 1; above {@link #MAX_WEIGHT}:
     *     that)
     */
    Scheduler(Admission admission, ToDoubleFunction<String> ownerWeight) {
        this.admission = admission;
        this.ownerWeight = ownerWeight;
    }

    /** One dispatch decision. */
    record Assignment(ActiveJob job, LenderHandle lender) {
    }

    // ---- queue ----------------------------------------------------------------------------

    void enqueue(ActiveJob job, boolean front) {
        ArrayDeque<ActiveJob> q = queues.computeIfAbsent(job.owner, k -> new ArrayDeque<>());
        if (q.isEmpty()) {
            ring.addLast(job.owner);
        }
        if (front) {
            q.addFirst(job);
        } else {
            q.addLast(job);
        }
        queued++;
    }

    /** Removes a queued job; false when it was not queued. */
    boolean remove(ActiveJob job) {
        ArrayDeque<ActiveJob> q = queues.get(job.owner);
        if (q == null || !q.remove(job)) {
            return false;
        }
        queued--;
        if (q.isEmpty()) {
            queues.remove(job.owner);
            if (job.owner.equals(ring.peekFirst())) {
                turnLeft = 0;
            }
            ring.remove(job.owner);
            carried.remove(job.owner);
        }
        return true;
    }

    int queued() {
        return queued;
    }

    // ---- lenders --------------------------------------------------------------------------

    void addLender(LenderHandle l) {
        lenders.add(l);
        refresh(l);
    }

    void removeLender(LenderHandle l) {
        lenders.remove(l);
        free.remove(l);
    }

    /** Call after a lender's load or availability changed. */
    void refresh(LenderHandle l) {
        if (lenders.contains(l) && l.freeSlots() > 0) {
            free.add(l);
        } else {
            free.remove(l);
        }
    }

    Iterable<LenderHandle> lenders() {
        return lenders;
    }

    /** The lenders online and not withdrawn, in registration order. */
    List<LenderHandle> online() {
        List<LenderHandle> out = new ArrayList<>(lenders.size());
        for (LenderHandle l : lenders) {
            if (!l.withdrawn) {
                out.add(l);
            }
        }
        return out;
    }

    int lenderCount() {
        return lenders.size();
    }

    int freeSlots() {
        int n = 0;
        for (LenderHandle l : free) {
            n += l.freeSlots();
        }
        return n;
    }

    /**
     * Why no online lender could ever run {@code needs}, or null when one could (busy or not).
     */
    String whyNobodyCan(JobNeeds needs) {
        int eligible = 0;
        for (LenderHandle l : lenders) {
            if (!l.withdrawn) {
                eligible++;
            }
        }
        if (eligible == 0) {
            return "nobody is lending right now";
        }
        String last = null;
        for (LenderHandle l : lenders) {
            if (l.withdrawn) {
                continue;
            }
            String why = l.whyNot(needs);
            if (why == null) {
                return null;
            }
            last = why;
        }
        String packages = ModuleShortfall.explain(online(), needs);
        if (packages != null) {
            return packages;
        }
        return "no online lender meets the job's needs (" + eligible
                + (eligible == 1 ? " lender" : " lenders") + " online; e.g. " + last + ")";
    }

    /**
     * A free lender that can run {@code needs}, or null. Spreads the load instead of filling the
     * first lender: the least loaded one (fewest running for its slots) is chosen, and of equally
     * loaded ones the one with the most free slots.
     */
    LenderHandle freeLenderFor(ActiveJob job) {
        JobNeeds needs = job.needs;
        LenderHandle best = null;
        int scanned = 0;
        for (LenderHandle l : free) {
            if (l.freeSlots() > 0 && l.canRun(needs) && (best == null || lessLoaded(l, best))
                    && admission.admits(job, l)) {
                best = l;
                if (needs.equals(JobNeeds.NONE) && ++scanned >= 8) {
                    break; // good enough; do not scan thousands of lenders per job
                }
            }
        }
        return best;
    }

    /** A free lender that could run a job with {@code needs} alone (a probe for NLA). */
    LenderHandle freeLenderFor(JobNeeds needs) {
        return freeLenderFor(new ActiveJob("", "", "", List.of(), List.of(), needs, 0));
    }

    /** Whether {@code a} runs fewer jobs for its slots than {@code b}, or as few with more free. */
    static boolean lessLoaded(LenderHandle a, LenderHandle b) {
        // running/slots compared without division: both slots are at least 1
        long left = (long) a.running.size() * b.slots;
        long right = (long) b.running.size() * a.slots;
        return left < right || left == right && a.freeSlots() > b.freeSlots();
    }

    /**
     * Assigns queued jobs to free lenders, fairly across owners, until no more match. For each,
     * {@code take} marks the job as running (which also takes the lender's slot).
     */
    void plan(Consumer<Assignment> take) {
        int misses = 0;
        while (!free.isEmpty() && !ring.isEmpty() && misses < ring.size()) {
            String owner = ring.peekFirst();
            if (turnLeft < 1) {
                // a new turn: its weight, plus the fraction it left over last time
                Double left = carried.remove(owner);
                turnLeft = weight(owner) + (left == null ? 0 : left);
            }
            ArrayDeque<ActiveJob> q = queues.get(owner);
            ActiveJob picked = null;
            LenderHandle lender = null;
            int looked = 0;
            for (Iterator<ActiveJob> it = q.iterator(); it.hasNext() && looked < LOOKAHEAD;
                    looked++) {
                ActiveJob j = it.next();
                LenderHandle l = freeLenderFor(j);
                if (l != null) {
                    picked = j;
                    lender = l;
                    it.remove();
                    break;
                }
            }
            if (picked == null) {
                ring.addLast(ring.pollFirst());
                turnLeft = 0; // a turn it cannot use is not saved up
                misses++;
                continue;
            }
            misses = 0;
            queued--;
            turnLeft--;
            if (q.isEmpty()) {
                queues.remove(owner);
                ring.pollFirst();
                turnLeft = 0;
            } else if (turnLeft < 1) {
                if (turnLeft > 0) {
                    carried.put(owner, turnLeft);
                }
                turnLeft = 0;
                ring.addLast(ring.pollFirst());
            }
            take.accept(new Assignment(picked, lender));
            refresh(lender);
        }
    }

    private double weight(String owner) {
        double w = ownerWeight.applyAsDouble(owner);
        return w >= 1 ? Math.min(w, MAX_WEIGHT) : 1;
    }
}
