package idle.server.dispatch;

import idle.server.peer.Peer;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.SweepSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A sweep the server works on, in memory: open (its runner still sends tasks) or with tasks not
 * ended. It holds what every task shares (script name and hash, needs, shared input names; the
 * script itself is in the database and perhaps {@link Scripts}), the tasks' counts per state, and
 * the runners that follow it ({@link SweepWatch}). Per task it keeps one byte (the task's last
 * state), so a sweep of 100,000 tasks costs about 100 KiB here plus its {@link ActiveJob}s.
 *
 * <p>Counts move only forward for a task: a committed change of a task ({@link #taskChanged},
 * from the store writer's commit callbacks, in commit order) updates them; a task that ended
 * stays ended. The sweep is finished once it is closed and every task it holds ended: the
 * change that finished it (a task's end, the close) runs {@code onFinish}, exactly once.
 *
 * <p>Thread-safe (its own monitor). {@link #unsentPlaces} and {@link #opener} belong to the
 * {@link JobStateMachine}'s lock, like the places they count.
 */
final class SweepRun {
    private static final byte NONE = -1;

    final long id;
    final String owner;
    final String scriptName;
    final String scriptSha256;
    final JobNeeds needs;
    /** What each task sees as IDLE_TASK_COUNT; task indexes are below it. */
    final int taskCount;
    /** The sweep whose stored input files the tasks read. */
    final long inputsOf;
    final List<String> sharedInputs;
    final long submittedAt;
    final long retryOf;
    /** Bytes of the EXF of a task with no arguments or inputs of its own (see SweepRules). */
    final long baseExecuteBytes;

    /** Places reserved for tasks not received yet; under the state machine's lock. */
    int unsentPlaces;
    /** Bytes of the shared input files (for the checks of tasks still to come). */
    volatile long sharedInputBytes;
    /** Set when the owner cancelled the sweep: tasks stored from now on end at once. */
    volatile boolean cancelRequested;
    /** The connection that sends the tasks while open; under the state machine's lock. */
    Peer opener;

    private final byte[] states;
    private final BitSet received;
    private boolean open;
    private int tasks;
    private final int[] counts = new int[5];
    private boolean finished;
    private long finishedAt;
    private final List<SweepWatch> watchers = new ArrayList<>();
    /** Runs once, on the thread of the change that finished the sweep. */
    private final java.util.function.Consumer<SweepRun> onFinish;

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int SUCCEEDED = 2;
    private static final int FAILED = 3;
    private static final int CANCELLED = 4;

    SweepRun(long id, String owner, String scriptName, String scriptSha256, JobNeeds needs,
            int taskCount, long inputsOf, List<String> sharedInputs, long submittedAt,
            long retryOf, long baseExecuteBytes, boolean open,
            java.util.function.Consumer<SweepRun> onFinish) {
        this.onFinish = onFinish;
        this.id = id;
        this.owner = owner;
        this.scriptName = scriptName;
        this.scriptSha256 = scriptSha256;
        this.needs = needs;
        this.taskCount = taskCount;
        this.inputsOf = inputsOf;
        this.sharedInputs = List.copyOf(sharedInputs);
        this.submittedAt = submittedAt;
        this.retryOf = retryOf;
        this.baseExecuteBytes = baseExecuteBytes;
        this.open = open;
        this.states = new byte[taskCount];
        Arrays.fill(states, NONE);
        this.received = new BitSet(taskCount);
    }

    private static int bucket(JobState s) {
        return switch (s) {
            case QUEUED -> QUEUED;
            case RUNNING -> RUNNING;
            case SUCCEEDED -> SUCCEEDED;
            case CANCELLED -> CANCELLED;
            case FAILED, LIMIT_EXCEEDED, LOST, UNVERIFIED -> FAILED;
        };
    }

    /**
     * Claims the task indexes of a batch: each below {@link #taskCount}, none received before
     * or twice in the batch. Claims all or none.
     *
     * @return null when claimed, else why not (for the runner)
     */
    synchronized String claim(int[] indexes) {
        if (!open) {
            return "sweep " + id + " takes no more tasks";
        }
        BitSet batch = new BitSet();
        for (int i : indexes) {
            if (i < 0 || i >= taskCount) {
                return "task index " + i + " is outside the sweep's 0.." + (taskCount - 1);
            }
            if (received.get(i) || batch.get(i)) {
                return "task " + i + " was sent twice";
            }
            batch.set(i);
        }
        received.or(batch);
        return null;
    }

    /**
     * Gives back indexes claimed by a batch that could not be stored.
     *
     * @return true when this finished the sweep (it was closed and waited only for them)
     */
    boolean unclaim(int[] indexes) {
        synchronized (this) {
            for (int i : indexes) {
                received.clear(i);
            }
        }
        return checkFinished();
    }

    /** Claims the indexes of the tasks of a closed sweep stored whole (a retry). */
    synchronized void recoverClaims(int[] indexes) {
        for (int i : indexes) {
            received.set(i);
        }
    }

    /** A task read back at a restart: known, claimed and counted in its stored state. */
    synchronized void recovered(int index, JobState state) {
        if (index < 0 || index >= taskCount || received.get(index)) {
            return;
        }
        received.set(index);
        stored(index, state);
    }

    /** Tasks claimed so far (stored or being stored). */
    synchronized int claimed() {
        return received.cardinality();
    }

    /** A stored task (its insert committed) is known with this state. */
    synchronized void stored(int index, JobState state) {
        tasks++;
        states[index] = (byte) state.ordinal();
        counts[bucket(state)]++;
    }

    /** Whether the runner may still send tasks. */
    synchronized boolean isOpen() {
        return open;
    }

    /**
     * No more tasks will come.
     *
     * @return true when this finished the sweep (every task it holds had ended)
     */
    boolean close() {
        synchronized (this) {
            if (!open) {
                return false;
            }
            open = false;
        }
        return checkFinished();
    }

    /**
     * A committed change of one of the sweep's tasks: counted, and passed to the followers.
     *
     * @return true when this finished the sweep
     */
    boolean taskChanged(JobSummary s) {
        List<SweepWatch> to;
        synchronized (this) {
            int i = s.taskIndex();
            if (i < 0 || i >= taskCount) {
                return false;
            }
            byte old = states[i];
            if (old != NONE) {
                JobState was = JobState.values()[old];
                if (was.isTerminal()) {
                    return false; // ended once, stays ended
                }
                counts[bucket(was)]--;
            } else {
                tasks++;
            }
            states[i] = (byte) s.state().ordinal();
            counts[bucket(s.state())]++;
            to = List.copyOf(watchers);
        }
        for (SweepWatch w : to) {
            w.offer(s);
        }
        return checkFinished();
    }

    /** @return true when this call finished the sweep (see the class comment) */
    boolean checkFinished() {
        List<SweepWatch> to;
        synchronized (this) {
            if (finished || open || counts[QUEUED] + counts[RUNNING] > 0
                    || tasks < received.cardinality()) {
                return false;
            }
            finished = true;
            finishedAt = System.currentTimeMillis();
            to = List.copyOf(watchers);
        }
        for (SweepWatch w : to) {
            w.sweepEnded();
        }
        onFinish.accept(this);
        return true;
    }

    synchronized boolean isFinished() {
        return finished;
    }

    /**
     * Adds a follower; false when the sweep finished already (it then gets nothing live).
     */
    synchronized boolean watch(SweepWatch w) {
        if (finished) {
            return false;
        }
        watchers.add(w);
        return true;
    }

    synchronized void unwatch(SweepWatch w) {
        watchers.remove(w);
    }

    /** The sweep as its runner sees it now. */
    synchronized SweepSummary summary() {
        return new SweepSummary(id, scriptName, taskCount, tasks, counts[QUEUED], counts[RUNNING],
                counts[SUCCEEDED], counts[FAILED], counts[CANCELLED], submittedAt,
                finished ? finishedAt : 0, retryOf, open);
    }

    @Override
    public String toString() {
        return "Sweep[" + id + " " + owner + " " + scriptName + "]";
    }
}
