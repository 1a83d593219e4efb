package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
        int cores = Runtime.getRuntime().availableProcessors();
        // One spinning process uses 100/cores percent of the machine; ask for a bit less.
        int threshold = Math.max(1, 100 / cores - 15);
        CountDownLatch busy = new CountDownLatch(1);
        Process load = new ProcessBuilder(PythonInterpreter.locate(null).executable().toString(), "-c",
                "while True: pass").start();
        try (IdleMonitor m = new IdleMonitor(new LenderSettings.IdlePolicy(threshold,
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
            assertTrue(busy.await(20, TimeUnit.SECONDS), "the load was not noticed");
            assertTrue(m.isBusy());
        } finally {
            load.destroyForcibly().waitFor();
        }
    }

    @Test
    void theJobsOwnCpuDoesNotCountAsTheOwnersLoad() throws Exception {
        // A spinning process stands for a job, and all CPU the machine uses is attributed to the
        // jobs: the monitor must subtract it and never call the machine busy. The threshold is
        // the one the spinning process alone crosses in the test above, so a monitor that did
        // not subtract would be busy here; it is far above the few jiffies by which the
        // monitor's and this supplier's separate reads of /proc/stat can differ under load.
        int cores = Runtime.getRuntime().availableProcessors();
        int threshold = Math.max(1, 100 / cores - 15);
        CountDownLatch samples = new CountDownLatch(1);
        long[] start = IdleMonitor.readStat();
        Process job = new ProcessBuilder(PythonInterpreter.locate(null).executable().toString(), "-c",
                "while True: pass").start();
        try (IdleMonitor m = new IdleMonitor(new LenderSettings.IdlePolicy(threshold,
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
            assertTrue(!samples.await(2, TimeUnit.SECONDS), "counted the jobs' own CPU");
            assertTrue(!m.isBusy());
        } finally {
            job.destroyForcibly().waitFor();
        }
    }
}
