package idle.server.dispatch;

import idle.server.peer.Peer;
import idle.server.relay.Durability;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.model.InputFile;
import idle.shared.model.TaskPosition;
import idle.shared.protocol.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts an attempt whose RUNNING state committed: takes the job's script ({@link Scripts}: from
 * the cache, or read back from the database) and reads its inputs, builds its EXF, opens the
 * exchange that will receive the lender's frames ({@link LenderRun}) and sends it.
 *
 * <p>Contract: every way this can fail ends the attempt through its {@link AttemptListener}, so
 * no failure leaves the job RUNNING on a lender that never heard of it, or the lender's slot
 * taken: script or inputs unreadable or an EXF that cannot be built: the job FAILS with the
 * reason; the lender's connection gone: the job is re-queued; anything unexpected: the job FAILS.
 *
 * <p>A task of a sweep gets its sweep's script (cached once for all its tasks) and inputs, and
 * its place in the sweep ({@link TaskPosition}).
 *
 * <p>Threads: a job without inputs whose script is cached is sent on the caller's thread (the
 * store writer's commit callback: encoding an EXF and queuing it never blocks); any other is read
 * and sent on a virtual thread of its own, since reading a script from the database or up to the
 * input limit from disk is I/O. Never under the state machine's lock.
 */
final class Launcher {
    private static final Logger LOG = Logger.getLogger(Launcher.class.getName());

    private final Scripts scripts;
    private final InputStore inputs;
    private final SpoolDirs spool;
    private final long maxOutputBytes;
    private final Durability durability;
    private final EarlyForces earlyForces = new EarlyForces(EarlyForces.CONCURRENT);
    private final Object flights = new Object();
    /** Launches reading or sending now; guarded by {@link #flights}. */
    private int inFlight;
    private boolean stopped;

    /**
     * @param maxOutputBytes the server's limit on one job's stdout + stderr + files
     * @param durability how each attempt's output is made durable ({@link LenderRun})
     */
    Launcher(Scripts scripts, InputStore inputs, SpoolDirs spool, long maxOutputBytes,
            Durability durability) {
        this.durability = durability;
        this.scripts = scripts;
        this.inputs = inputs;
        this.spool = spool;
        this.maxOutputBytes = maxOutputBytes;
    }

    /** The server's bound on background forces of output spools. */
    EarlyForces earlyForces() {
        return earlyForces;
    }

    /**
     * Sends attempt {@code attempt} of {@code job} to {@code lender} as exchange {@code id}.
     * After {@link #stop} nothing is sent: the job stays RUNNING in the database and the next
     * start re-queues it.
     */
    void launch(ActiveJob job, Peer lender, int exchangeId, int attempt, AttemptListener listener) {
        synchronized (flights) {
            if (stopped) {
                return;
            }
            inFlight++;
        }
        byte[] cached = job.sweep != null ? scripts.sweepCached(job.sweep.id)
                : job.verifyOf != 0 ? scripts.peekCached(job.verifyOf)
                : scripts.takeCached(job.id);
        Runnable send = () -> {
            try {
                send(job, lender, exchangeId, attempt, listener, cached);
            } catch (RuntimeException | Error e) {
                // not rethrown: the caller may be the store writer's thread, which must live on;
                // this job's attempt ends here and the error is logged
                LOG.log(Level.SEVERE, "could not start " + job + " on a lender", e);
                lender.close(exchangeId);
                listener.fail(Reasons.notSendable(e.toString()));
            } finally {
                landed();
            }
        };
        if (job.inputNames.isEmpty() && cached != null) {
            send.run();
            return;
        }
        try {
            Thread.ofVirtual().name("idle-exf-" + job.id).start(send);
        } catch (RuntimeException | Error e) {
            landed();
            LOG.log(Level.SEVERE, "could not start a thread to send " + job, e);
            listener.fail(Reasons.notSendable(e.toString()));
        }
    }

    private void landed() {
        synchronized (flights) {
            inFlight--;
            flights.notifyAll();
        }
    }

    /**
     * The server is stopping: no more launches, and waits up to {@code wait} for those reading
     * their script or inputs (the database closes next).
     */
    void stop(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (flights) {
            stopped = true;
            long left;
            while (inFlight > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    flights.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** {@code cached}: the job's script when the cache had it, else null (read it here). */
    private void send(ActiveJob job, Peer lender, int exchangeId, int attempt,
            AttemptListener listener, byte[] cached) {
        byte[] script = cached;
        SweepRun sweep = job.sweep;
        if (script == null) {
            try {
                script = sweep != null ? scripts.sweepScript(sweep.id)
                        : job.verifyOf != 0 ? scripts.read(job.verifyOf) : scripts.take(job.id);
            } catch (IOException e) {
                LOG.log(Level.SEVERE, "cannot read the script of " + job, e);
                listener.fail(Reasons.scriptLost(e.getMessage()));
                return;
            }
        }
        List<InputFile> in;
        try {
            in = sweep != null ? inputs.readTask(sweep.inputsOf, job.taskIndex,
                    sweep.sharedInputs, job.inputNames)
                    : inputs.read(job.sourceId(), job.inputNames);
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "cannot read the inputs of " + job, e);
            listener.fail(Reasons.inputsLost(e.getMessage()));
            return;
        }
        Frame exf;
        try {
            exf = Codec.encode(exchangeId, new Message.Execute(job.id, attempt, job.scriptName,
                    script, job.scriptSha256, job.args, in, job.needs, job.environment,
                    sweep != null ? new TaskPosition(job.taskIndex, sweep.taskCount) : null));
        } catch (IllegalArgumentException e) {
            // the door refuses what cannot be sent; this is a job stored before that rule
            LOG.log(Level.WARNING, "cannot encode the EXF of " + job, e);
            listener.fail(Reasons.notSendable(e.getMessage()));
            return;
        }
        lender.open(exchangeId, new LenderRun(job.id, attempt, exchangeId, lender, job.feed,
                spool.dir(job.id), maxOutputBytes, listener, durability, earlyForces));
        if (!lender.send(exf)) {
            lender.close(exchangeId);
            listener.lenderGone();
        }
    }
}
