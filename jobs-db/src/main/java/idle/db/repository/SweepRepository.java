package idle.db.repository;

import idle.db.entity.Sweep;
import java.util.List;
import java.util.Optional;

/** Sweeps, bound to one transaction. Listings never read scripts; {@link #scriptOf} does. */
public interface SweepRepository {
    /**
     * Stores a new sweep and assigns its id at once (ids grow; gaps are possible). When the sweep
     * reads its own inputs ({@code inputsOf} 0) it is set to the new id.
     *
     * @return the id
     */
    long add(Sweep sweep);

    /** The sweep with this id (with its script), or empty. */
    Optional<Sweep> find(long id);

    /** The script of the sweep with this id, read alone; empty when there is no such sweep. */
    Optional<byte[]> scriptOf(long id);

    /**
     * One page of sweeps, newest first: of {@code ownerOrNull} (null: every owner), with ids below
     * {@code beforeIdOrZero} (0 or less: the newest), at most {@code limit}. No scripts.
     */
    List<Sweep> page(String ownerOrNull, long beforeIdOrZero, int limit);

    /** Sweeps that have not finished (open, or with tasks not ended), oldest first. No scripts. */
    List<Sweep> unfinished();

    /** Sets the tasks stored and whether more may come. */
    void setTasks(long id, int tasks, boolean open);

    /** Records that every task of the sweep ended, with the counts. */
    void finish(long id, long finishedAt, int succeeded, int failed, int cancelled);
}
