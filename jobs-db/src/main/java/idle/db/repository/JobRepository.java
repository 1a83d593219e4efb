package idle.db.repository;

import idle.db.entity.Job;
import idle.shared.model.JobState;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Jobs, bound to one transaction. */
public interface JobRepository {
    /**
     * Stores a new job and assigns its id at once (ids grow in the order jobs are added; there may
     * be gaps). The row is durable when the transaction commits.
     *
     * @return the same, now managed, job
     */
    Job add(Job job);

    /**
     * Stores a new job the cheap way, for a writer that adds many: assigns its id at once (from
     * the same sequence as {@link #add}) and sends the row in one JDBC batch with the other rows
     * of the transaction, before its next query or at commit. Unlike {@link #add} the job is not
     * managed: later changes to it are not stored (use {@link #writeProgress}, which is folded
     * into the INSERT when it comes in the same transaction). A job that has an id already (one
     * this method gave it in a transaction that then failed) is inserted with that id, so a
     * writer that retries the insert keeps the id it may have handed out.
     *
     * @return the id, also set on {@code job}
     */
    long insert(Job job);

    /** The job with this id, or empty when there is none. */
    Optional<Job> find(long id);

    /**
     * Copies the state of a job obtained in an earlier transaction (detached) onto its row.
     *
     * @return the managed copy; changes to the argument after this call are not persisted
     * @throws IllegalArgumentException when no job has that id
     */
    Job update(Job detached);

    /**
     * Writes the fields that change after submission (state, attempts, lender, started and
     * finished times, exit code, limit, failure reason, output bytes and hash, CPU time, output
     * files) of {@code values} onto the row with its id, without reading the row first: one
     * UPDATE by primary key, sent in a JDBC batch with the others of the transaction before its
     * next query or at commit; when one job gets several, only the last is sent. The values are
     * copied at the call. The other fields of {@code values} are ignored. Use it for jobs whose
     * row is known to exist or was added in this transaction (a missing row is not reported).
     */
    void writeProgress(Job values);

    /**
     * One page of history, newest (highest id) first.
     *
     * @param ownerOrNull only this owner's jobs; null for every owner (admins)
     * @param stateOrNull only jobs in this state; null for any state
     * @param nameContainsOrNull only jobs whose script name contains this text (case-insensitive);
     *     null or empty for any name
     * @param beforeIdOrZero only jobs with an id below this; 0 (or less) for the newest
     * @param limit at most this many (at least 1 is used)
     * @return the page; empty when nothing matches. The jobs carry no script (an empty one):
     *     read it with {@link #scriptOf} when needed
     */
    List<Job> page(String ownerOrNull, JobState stateOrNull, String nameContainsOrNull,
            long beforeIdOrZero, int limit);

    /**
     * Like {@link #page}, but only jobs of their own: tasks of sweeps are left out (they are
     * listed with {@link #pageOfSweep}), and so are replicas of verified jobs.
     */
    List<Job> pageOwnJobs(String ownerOrNull, JobState stateOrNull, String nameContainsOrNull,
            long beforeIdOrZero, int limit);

    /**
     * The replicas of verified job {@code jobId} (rows whose VERIFY_OF is it), oldest first;
     * like {@link #page}, no scripts.
     */
    List<Job> replicasOf(long jobId);

    /**
     * One page of the tasks of sweep {@code sweepId} (whose owner is {@code owner}: the index
     * is read in order under it), highest job id first, with ids below {@code beforeIdOrZero}
     * (0 or less for the newest). Like {@link #page}, no scripts.
     */
    List<Job> pageOfSweep(String owner, long sweepId, long beforeIdOrZero, int limit);

    /** Number of tasks of sweep {@code sweepId} per state; every state is present. */
    Map<JobState, Long> countByStateOfSweep(long sweepId);

    /**
     * Every job in one of these states, in id order (oldest first); empty for no states. Like
     * {@link #page}, the jobs carry no script.
     */
    List<Job> inStates(Collection<JobState> states);

    /** The script of the job with this id, read alone; empty when there is no such job. */
    Optional<byte[]> scriptOf(long id);

    /** Number of jobs of all owners. */
    long count();

    /** Number of jobs per state; states without jobs map to 0, so every state is present. */
    Map<JobState, Long> countByState();
}
