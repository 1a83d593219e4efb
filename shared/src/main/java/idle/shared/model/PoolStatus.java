package idle.shared.model;

import java.util.List;

/**
 * The server's pool at a glance: lenders online, free job slots, queued and running jobs, and the
 * modules the online lenders offer, aggregated (see {@link PoolModule}), sorted by name, at most
 * {@link #MAX_MODULES} (the most widely offered ones when there are more).
 */
public record PoolStatus(int lendersOnline, int freeSlots, int queuedJobs, int runningJobs,
        List<PoolModule> modules) {
    /** Most modules in the pool view. */
    public static final int MAX_MODULES = 3000;

    public PoolStatus {
        modules = List.copyOf(modules);
        if (modules.size() > MAX_MODULES) {
            throw new IllegalArgumentException(modules.size() + " pool modules; at most "
                    + MAX_MODULES);
        }
    }

    /** A pool status without a module view. */
    public PoolStatus(int lendersOnline, int freeSlots, int queuedJobs, int runningJobs) {
        this(lendersOnline, freeSlots, queuedJobs, runningJobs, List.of());
    }

    /** The pool view's entry for module {@code name}, or null when it is not listed. */
    public PoolModule module(String name) {
        for (PoolModule m : modules) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }
}
