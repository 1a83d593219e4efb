package idle.server.dispatch;

import idle.server.peer.Peer;
import idle.server.relay.WindowedSubscription;
import idle.shared.message.Message;
import idle.shared.model.JobSummary;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One runner's subscription to one sweep, under the runner's request id {@code n} (the SWP, SWR
 * or SWA that opened it): first a {@code JST#n} for each summary of {@code snapshot}, then (when
 * following) one for every committed change of any of the sweep's tasks, until the sweep finished
 * and everything was sent. No output: a task's output is fetched with ATT like any job's.
 *
 * <p>Flow control: at most {@link idle.shared.protocol.Limits#WINDOW_CHUNKS} events
 * unacknowledged. A slow runner does not make the server queue without bound: changes waiting to
 * be sent are kept per task, the newest one only, so at most one per task is held.
 *
 * <p>Runs on its own virtual thread; {@link #offer} and {@link #sweepEnded} may be called from any
 * thread (the store writer's).
 */
final class SweepWatch extends WindowedSubscription {
    private static final Logger LOG = Logger.getLogger(SweepWatch.class.getName());

    private final Peer runner;
    private final int requestId;
    private final SweepRun sweep;
    private final boolean follow;
    /** Changes not sent yet, the latest per job id, oldest first; guarded by itself. */
    private final Map<Long, JobSummary> pending = new LinkedHashMap<>();
    private volatile boolean ended;

    private List<JobSummary> snapshot = List.of();
    private boolean listening;

    /**
     * @param sweep the sweep followed live, or null for one that finished (only a snapshot)
     * @param follow whether live changes are sent after the snapshot
     */
    SweepWatch(Peer runner, int requestId, SweepRun sweep, boolean follow) {
        this.runner = runner;
        this.requestId = requestId;
        this.sweep = sweep;
        this.follow = follow && sweep != null;
    }

    /**
     * Starts hearing the sweep's changes (kept until {@link #start}), so a change committed from
     * now on reaches the runner even while a snapshot is being read. Call at most once.
     */
    void listen() {
        listening = true;
        if (follow && !sweep.watch(this)) {
            ended = true; // finished meanwhile: the snapshot says how it ended
        }
    }

    /**
     * Registers the exchange and starts sending: {@code first} (summaries that may be older
     * than what follows), then the live changes when following.
     */
    void start(List<JobSummary> first) {
        if (!listening) {
            listen();
        }
        this.snapshot = List.copyOf(first);
        runner.open(requestId, this);
        Thread.ofVirtual().name("idle-sweep-" + (sweep == null ? "done" : sweep.id)).start(this);
    }

    /** A committed change of one of the sweep's tasks. */
    void offer(JobSummary s) {
        synchronized (pending) {
            pending.put(s.jobId(), s);
        }
        wake();
    }

    /** Every task ended: once what is pending is sent, the subscription is over. */
    void sweepEnded() {
        ended = true;
        wake();
    }


    @Override
    public void run() {
        try {
            for (JobSummary s : snapshot) {
                if (closed || !send(s)) {
                    return;
                }
            }
            while (follow && !closed) {
                JobSummary next;
                synchronized (pending) {
                    Iterator<JobSummary> it = pending.values().iterator();
                    next = it.hasNext() ? it.next() : null;
                    if (next != null) {
                        it.remove();
                    }
                }
                if (next != null) {
                    if (!send(next)) {
                        return;
                    }
                    continue;
                }
                if (ended) {
                    synchronized (pending) {
                        if (pending.isEmpty()) {
                            return;
                        }
                    }
                    continue;
                }
                awaitSignal();
            }
        } catch (InterruptedException e) {
            // the connection closed
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "relay of sweep " + (sweep == null ? "?" : sweep.id) + " to "
                    + runner.user() + " failed", e);
        } finally {
            if (sweep != null) {
                sweep.unwatch(this);
            }
            runner.close(requestId);
        }
    }

    private boolean send(JobSummary s) throws InterruptedException {
        window.acquire();
        return runner.send(requestId, new Message.JobEvent(s));
    }
}
