package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The when-idle monitor reads /proc/stat and notices the owner's load. */
@Timeout(60)
class IdleMonitorTest {
    @Test
    void procStatIsReadable() {
        long[] s = IdleMonitor.readStat();
        assertTrue(s != null && s[0] > 0 && s[1] >= 0 && s[1] <= s[0]);
    }

    @Test
    void anotherProcessBurningCpuMakesTheMachineBusy() throws Exception {
        SpinLoad load = SpinLoad.forThisMachine();
        CountDownLatch busy = new CountDownLatch(1);
        List<Process> spinners = load.start();
        try (IdleMonitor m = new IdleMonitor(new LenderSettings.IdlePolicy(load.thresholdPercent(),
                Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofMinutes(1),
                Duration.ofMillis(100)), () -> 0L, new IdleMonitor.Listener() {
                    @Override
                    public void busy(String reason) {
                        busy.countDown();
                    }

                    @Override
                    public void idle(String reason) {
                    }
                }).start()) {
            assertTrue(busy.await(20, TimeUnit.SECONDS), "the load was not noticed: " + load
                    + ", last sample " + m.othersPercent() + " %");
            assertTrue(m.isBusy());
        } finally {
            SpinLoad.stop(spinners);
        }
    }

    @Test
    void theJobsOwnCpuDoesNotCountAsTheOwnersLoad() throws Exception {
        // Spinning processes stand for jobs, and all CPU the machine uses is attributed to the
        // jobs: the monitor must subtract it and never call the machine busy. The threshold is
        // the one the same load crosses in the test above, so a monitor that did not subtract
        // would be busy here (see SpinLoad for why it stays above the read-to-read jitter).
        SpinLoad load = SpinLoad.forThisMachine();
        CountDownLatch samples = new CountDownLatch(1);
        long[] start = IdleMonitor.readStat();
        List<Process> jobs = load.start();
        try (IdleMonitor m = new IdleMonitor(new LenderSettings.IdlePolicy(load.thresholdPercent(),
                Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMinutes(1),
                Duration.ofMillis(100)),
                () -> {
                    long[] now = IdleMonitor.readStat();
                    return (now[1] - start[1]) * 10; // everything busy is "ours"
                }, new IdleMonitor.Listener() {
                    @Override
                    public void busy(String reason) {
                        samples.countDown();
                    }

                    @Override
                    public void idle(String reason) {
                    }
                }).start()) {
            // a negative check: it must stay quiet for a while (the monitor samples every 100 ms)
            assertTrue(!samples.await(2, TimeUnit.SECONDS), "counted the jobs' own CPU: " + load);
            assertTrue(!m.isBusy());
        } finally {
            SpinLoad.stop(jobs);
        }
    }

    /**
     * A CPU load of {@code spinners} busy-looping python processes and the busy threshold the
     * monitor is given for it, sized for this machine.
     *
     * <p>Why these numbers: the monitor's percentages are shares of every CPU that
     * {@code /proc/stat} counts ({@code cpus}), so one spinner produces at most {@code 100/cpus}
     * percent, 1.5 % on a 64-CPU host. The noise the threshold must stay above is the difference
     * between two reads of {@code /proc/stat} that are not taken at the same instant (the
     * monitor's and the jobs' supplier's): a jiffy or two, or the few ms the sampling thread is
     * preempted between them, which on a busy machine is a few percent of a 100 ms sample. A
     * fixed "100/cores minus a margin" threshold falls to 1 % from six cores on and that noise
     * crosses it. So: start enough spinners that they make up at least {@value #LOAD_PERCENT} %
     * of the machine (one on two cores), and put the threshold at half their share: it is
     * crossed even when the spinners get only half their CPUs on a loaded machine, and it never
     * falls below {@value #LOAD_PERCENT}/2 %, well above the read-to-read jitter. Spinners are
     * capped at the CPUs this JVM may use (a container can see more in /proc/stat than it may
     * run on); where that leaves too small a share the test says so instead of flaking.
     */
    record SpinLoad(int cpus, int spinners, int thresholdPercent) {
        static final int LOAD_PERCENT = 20;
        static final int JITTER_FLOOR_PERCENT = 5;

        static SpinLoad forThisMachine() throws IOException {
            int cpus = statCpus();
            int usable = Math.min(cpus, Runtime.getRuntime().availableProcessors());
            int spinners = Math.min(usable, Math.max(1, (cpus * LOAD_PERCENT + 99) / 100));
            int threshold = 100 * spinners / cpus / 2;
            SpinLoad load = new SpinLoad(cpus, spinners, threshold);
            assertTrue(threshold >= JITTER_FLOOR_PERCENT, "this machine cannot produce a load the"
                    + " monitor tells from sampling jitter (" + load + "): /proc/stat counts more"
                    + " CPUs than this process may use");
            return load;
        }

        /** The number of {@code cpuN} lines of /proc/stat: the CPUs its first line sums. */
        static int statCpus() throws IOException {
            try (var lines = Files.lines(Path.of("/proc/stat"))) {
                return (int) lines.filter(l -> l.matches("cpu\\d+\\s.*")).count();
            }
        }

        List<Process> start() throws IOException {
            List<Process> started = new ArrayList<>();
            String python = PythonInterpreter.locate(null).executable().toString();
            try {
                for (int i = 0; i < spinners; i++) {
                    started.add(new ProcessBuilder(python, "-c", "while True: pass").start());
                }
            } catch (IOException | RuntimeException e) {
                started.forEach(Process::destroyForcibly);
                throw e;
            }
            return started;
        }

        static void stop(List<Process> spinners) throws InterruptedException {
            for (Process p : spinners) {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
