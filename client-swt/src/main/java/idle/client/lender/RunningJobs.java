package idle.client.lender;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs running on this lender now, by job id: what decides whether a slot is free, and what
 * pause, resume and give-back act on. A job is in it from the moment it is accepted until its
 * {@code FIN} is out (or it was given back); see {@link JobRun}.
 *
 * <p>Thread-safe; the bulk operations act on the jobs present when they are called.
 */
final class RunningJobs {
    private final Map<Long, JobRun> jobs = new ConcurrentHashMap<>();

    /** Adds {@code job}; false when a job with its id is already here. */
    boolean add(JobRun job) {
        return jobs.putIfAbsent(job.jobId(), job) == null;
    }

    /** Removes {@code job} (not another attempt of the same id that may have replaced it). */
    void remove(JobRun job) {
        jobs.remove(job.jobId(), job);
    }

    JobRun get(long jobId) {
        return jobs.get(jobId);
    }

    boolean contains(long jobId) {
        return jobs.containsKey(jobId);
    }

    int size() {
        return jobs.size();
    }

    boolean isEmpty() {
        return jobs.isEmpty();
    }

    void pauseAll() {
        jobs.values().forEach(JobRun::pause);
    }

    void resumeAll() {
        jobs.values().forEach(JobRun::resume);
    }

    /** Kills every job without reporting it (the server re-queues it). */
    void abandonAll(String why) {
        jobs.values().forEach(j -> j.abandon(why));
    }

    /** CPU time used by the jobs' processes so far, in milliseconds (sampled). */
    long cpuMillis() {
        return jobs.values().stream().mapToLong(JobRun::cpuMillis).sum();
    }

    /** Completes when every job present now has ended. */
    CompletableFuture<Void> allDone() {
        List<CompletableFuture<Void>> ends = jobs.values().stream().map(JobRun::done).toList();
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new));
    }
}
