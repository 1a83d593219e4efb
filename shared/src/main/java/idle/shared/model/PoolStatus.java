package idle.shared.model;

/** The server's pool at a glance: lenders online, free job slots, queued and running jobs. */
public record PoolStatus(int lendersOnline, int freeSlots, int queuedJobs, int runningJobs) {
}
