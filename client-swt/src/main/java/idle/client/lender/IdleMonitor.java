package idle.client.lender;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches whether the machine's owner is using it, from {@code /proc/stat}: the CPU time of all
 * processes minus the CPU time of IDLE's own jobs, as a share of all CPUs. Above the policy's
 * threshold for {@code busyAfter} the machine is busy; below it for {@code idleAfter}, idle again.
 *
 * <p>Runs on its own daemon thread, sampling every {@code sampleEvery}; the listener is called on
 * that thread.
 */
public final class IdleMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IdleMonitor.class.getName());
    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** Hears the transitions. */
    public interface Listener {
        void busy(String reason);

        void idle(String reason);
    }

    private final LenderSettings.IdlePolicy policy;
    private final LongSupplier jobsCpuMillis;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean busy;
    private volatile int lastOthersPercent;

    public IdleMonitor(LenderSettings.IdlePolicy policy, LongSupplier jobsCpuMillis, Listener listener) {
        this.policy = policy;
        this.jobsCpuMillis = jobsCpuMillis;
        this.listener = listener;
        this.thread = new Thread(this::loop, "idle-when-idle");
        this.thread.setDaemon(true);
    }

    public IdleMonitor start() {
        thread.start();
        return this;
    }

    public boolean isBusy() {
        return busy;
    }

    /** The share of all CPUs that other processes used in the last sample, in percent. */
    public int othersPercent() {
        return lastOthersPercent;
    }

    private void loop() {
        long[] prev = readStat();
        long prevJobs = jobsCpuMillis.getAsLong();
        long aboveSince = 0;
        long belowSince = System.nanoTime();
        long step = policy.sampleEvery().toMillis();
        while (running) {
            try {
                Thread.sleep(step); // the sampling period itself, not a synchronisation
            } catch (InterruptedException e) {
                return;
            }
            long[] now = readStat();
            long jobs = jobsCpuMillis.getAsLong();
            if (prev == null || now == null) {
                prev = now;
                continue;
            }
            long totalMs = (now[0] - prev[0]) * 10;
            long busyMs = (now[1] - prev[1]) * 10;
            long ours = Math.max(0, jobs - prevJobs);
            prev = now;
            prevJobs = jobs;
            if (totalMs <= 0) {
                continue;
            }
            int others = (int) Math.max(0, Math.min(100, (busyMs - ours) * 100 / totalMs));
            lastOthersPercent = others;
            long t = System.nanoTime();
            if (others > policy.busyPercent()) {
                belowSince = 0;
                if (aboveSince == 0) {
                    aboveSince = t;
                }
                if (!busy && t - aboveSince >= policy.busyAfter().toNanos()) {
                    busy = true;
                    call(true, "the owner is using the machine (" + others + "% CPU)");
                }
            } else {
                aboveSince = 0;
                if (belowSince == 0) {
                    belowSince = t;
                }
                if (busy && t - belowSince >= policy.idleAfter().toNanos()) {
                    busy = false;
                    call(false, "the machine is idle again (" + others + "% CPU used by others)");
                }
            }
        }
    }

    private void call(boolean nowBusy, String reason) {
        try {
            if (nowBusy) {
                listener.busy(reason);
            } else {
                listener.idle(reason);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "idle listener failed", e);
        }
    }

    /** {total jiffies, busy jiffies} of all CPUs, or null when /proc/stat is unreadable. */
    static long[] readStat() {
        try {
            String first = Files.readAllLines(PROC_STAT).get(0);
            String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total, total - idle};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
