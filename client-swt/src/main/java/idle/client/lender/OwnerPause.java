package idle.client.lender;

import idle.client.net.ServerConnection;
import idle.shared.message.Message;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The lender steps aside while its owner uses the machine. On {@link #pause} the running jobs are
 * stopped (SIGSTOP), the server hears {@code BSY} (not available) and sends no new jobs; if that
 * lasts longer than the policy's {@code giveBackAfter}, the jobs are given back ({@code WBL} with
 * returnJobs) to run elsewhere. On {@link #resume} paused jobs continue (SIGCONT) and the server
 * hears {@code BSY} (available) again, or, if the jobs were given back meanwhile, the lender
 * registers again. With the when-idle policy an {@link IdleMonitor} calls both from
 * {@code /proc/stat}; a person (a "pause" button) may call them too.
 *
 * <p>Lifecycle: {@link #open} when lending starts (the give-back timer), {@link #watch} once the
 * server accepted the lender (the monitor, with the when-idle policy), {@link #close} when lending
 * stops; open again for the next start. The busy state survives a close: a lender that registers
 * again while busy says so at once.
 *
 * <p>Threads: {@link #pause} and {@link #resume} may be called from any thread (the monitor's,
 * a UI's); the give-back runs on this class's timer thread.
 */
final class OwnerPause implements AutoCloseable {
    /** What the pause needs from the lender around it. */
    interface Lender {
        /** True while lending (between a start and a stop). */
        boolean isLending();

        /** Registers with the server again ({@code MML}), after the jobs were given back. */
        void registerAgain();
    }

    private final LenderSettings.IdlePolicy policy;
    private final RunningJobs jobs;
    private final ServerConnection connection;
    private final LenderEvents events;
    private final Lender lender;
    private final Object lock = new Object();
    private volatile boolean busy;
    private volatile boolean givenBack;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> giveBack;
    private IdleMonitor monitor;

    OwnerPause(LenderSettings.IdlePolicy policy, RunningJobs jobs, ServerConnection connection,
            LenderEvents events, Lender lender) {
        this.policy = policy;
        this.jobs = jobs;
        this.connection = connection;
        this.events = events;
        this.lender = lender;
    }

    /** True while paused because the owner needs the machine. */
    boolean isBusy() {
        return busy;
    }

    /** Lending starts: pauses from now on may give jobs back. */
    void open() {
        synchronized (lock) {
            if (timer == null) {
                timer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "idle-give-back");
                    t.setDaemon(true);
                    return t;
                });
            }
        }
    }

    /** Starts watching {@code /proc/stat} for the owner's load (the when-idle policy). */
    void watch() {
        synchronized (lock) {
            if (monitor == null) {
                monitor = new IdleMonitor(policy, jobs::cpuMillis, new IdleMonitor.Listener() {
                    @Override
                    public void busy(String reason) {
                        pause(reason);
                    }

                    @Override
                    public void idle(String reason) {
                        resume(reason);
                    }
                }).start();
            }
        }
    }

    /** The owner needs the machine: pause the jobs, tell the server, give them back if it lasts. */
    void pause(String reason) {
        if (busy || !lender.isLending()) {
            return;
        }
        busy = true;
        events.log("busy: " + reason + "; pausing " + jobs.size() + " job(s)");
        jobs.pauseAll();
        connection.call(new Message.Availability(false, reason));
        events.availabilityChanged(false, reason);
        synchronized (lock) {
            if (timer != null) {
                long ms = policy.giveBackAfter().toMillis();
                giveBack = timer.schedule(() -> giveBackIfStillBusy(ms), ms, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void giveBackIfStillBusy(long ms) {
        if (busy && !jobs.isEmpty()) {
            events.log("still busy after " + ms / 1000 + " s: giving back " + jobs.size() + " job(s)");
            // WBL with returnJobs re-queues them at the server; register again when idle.
            connection.call(new Message.Withdraw(true)).whenComplete((r, e) ->
                    jobs.abandonAll("given back: the owner needs the machine"));
            givenBack = true;
        }
    }

    /** The machine is free again: paused jobs continue and new ones are taken. */
    void resume(String reason) {
        if (!busy) {
            return;
        }
        busy = false;
        synchronized (lock) {
            if (giveBack != null) {
                giveBack.cancel(false);
            }
        }
        events.log("idle: " + reason + "; resuming");
        jobs.resumeAll();
        if (givenBack) {
            givenBack = false;
            lender.registerAgain();
        } else {
            connection.call(new Message.Availability(true, reason));
        }
        events.availabilityChanged(true, reason);
    }

    /** Lending stopped: no more monitoring, no pending give-back. */
    @Override
    public void close() {
        IdleMonitor m;
        ScheduledExecutorService t;
        synchronized (lock) {
            m = monitor;
            t = timer;
            monitor = null;
            timer = null;
        }
        if (m != null) {
            m.close(); // joins the monitor thread: outside the lock, which pause() takes
        }
        if (t != null) {
            t.shutdownNow();
        }
    }
}
