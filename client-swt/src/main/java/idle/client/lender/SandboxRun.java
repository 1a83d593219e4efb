package idle.client.lender;

import idle.shared.model.JobOutcome;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One script running in a {@link Sandbox}: its pipes pumped to an {@link OutputSink}, a watchdog
 * enforcing the wall-clock timeout (paused time excluded), the output cap (stdout + stderr + the
 * bytes in its working directory, measured by {@link WorkTree} every 200 ms and once more when the
 * script ended, so a burst between two looks counts too) and sampling its CPU time; cancel, pause
 * and resume of the whole process tree; and, at the end, the outcome (with the limit that stopped
 * it) and the files it wrote.
 *
 * <p>Thread-safe: {@link #cancel}, {@link #pause}, {@link #resume} may be called from any thread
 * while one thread waits in {@link #await}.
 */
public final class SandboxRun {
    private static final Logger LOG = Logger.getLogger(SandboxRun.class.getName());
    private static final int TAIL_BYTES = 4096;
    private static final long CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux
    private static final int MAX_FILES = 10_000;

    /** Why the lender stopped a script itself. */
    enum Stop { CANCELLED, WALL_CLOCK, OUTPUT, DISK, ABANDONED }

    private final Sandbox sandbox;
    private final RunSpec spec;
    private final Path workDir;
    private final long initialBytes;
    private final Process process;
    private final OutputSink sink;
    private final long outputCap;
    private final long startNanos = System.nanoTime();
    private final Thread stdoutPump;
    private final Thread stderrPump;
    private final Thread watchdog;
    private final Object lock = new Object();
    private final Map<Long, Long> cpuByPid = new HashMap<>();
    private final byte[] stderrTail = new byte[TAIL_BYTES];
    private int tailLen;
    private long stdoutBytes;
    private long stderrBytes;
    private volatile Stop stop;
    private volatile String stopDetail = "";
    private boolean paused;
    private long pausedSince;
    private long pausedTotalNanos;
    private volatile boolean exited;
    private RunResult result;

    SandboxRun(Sandbox sandbox, RunSpec spec, Path workDir, long initialBytes, Process process,
            OutputSink sink) {
        this.sandbox = sandbox;
        this.spec = spec;
        this.workDir = workDir;
        this.initialBytes = initialBytes;
        this.process = process;
        this.sink = sink;
        this.outputCap = (long) sandbox.settings().maxOutputMb() * 1024 * 1024;
        this.stdoutPump = thread("out", () -> pump(process.getInputStream(), StreamKind.STDOUT));
        this.stderrPump = thread("err", () -> pump(process.getErrorStream(), StreamKind.STDERR));
        this.watchdog = thread("watchdog", this::watch);
        stdoutPump.start();
        stderrPump.start();
        watchdog.start();
    }

    /** The host directory the script runs in (its {@code /work}). */
    public Path workDir() {
        return workDir;
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the whole process tree; the outcome is {@link JobOutcome.Cancelled}. */
    public void cancel() {
        kill(Stop.CANCELLED, "cancelled");
    }

    /** Kills the whole process tree because the job was given back; no outcome is reported. */
    public void abandon() {
        kill(Stop.ABANDONED, "given back");
    }

    /** Stops every process of the script (SIGSTOP) until {@link #resume}; the timeout pauses too. */
    public void pause() {
        synchronized (lock) {
            if (paused || exited) {
                return;
            }
            paused = true;
            pausedSince = System.nanoTime();
        }
        signalTree("STOP");
    }

    /** Continues a paused script (SIGCONT). */
    public void resume() {
        synchronized (lock) {
            if (!paused) {
                return;
            }
            paused = false;
            pausedTotalNanos += System.nanoTime() - pausedSince;
        }
        signalTree("CONT");
    }

    public boolean isPaused() {
        synchronized (lock) {
            return paused;
        }
    }

    /** CPU time used so far by the script's processes, in milliseconds (sampled). */
    public long cpuMillis() {
        synchronized (lock) {
            return cpuByPid.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Waits for the script to end and returns how it ended.
     *
     * @return null when the deadline passed first (the script goes on)
     */
    public RunResult await(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            return null;
        }
        return finish();
    }

    /** Waits for the script to end (bounded by its own wall-clock limit) and returns how it ended. */
    public RunResult await() throws InterruptedException {
        process.waitFor();
        return finish();
    }

    /** Removes the working directory and everything in it. */
    public void cleanup() {
        deleteTree(workDir);
    }

    // ---- internals -------------------------------------------------------------------------

    private synchronized RunResult finish() throws InterruptedException {
        if (result != null) {
            return result;
        }
        exited = true;
        int exit = process.exitValue();
        // Leftover processes (unsafe mode; the PID namespace dies with bwrap otherwise).
        killTree();
        stdoutPump.join(TimeUnit.SECONDS.toMillis(5));
        stderrPump.join(TimeUnit.SECONDS.toMillis(5));
        if (stdoutPump.isAlive() || stderrPump.isAlive()) {
            // A grandchild holds a pipe open (possible only without the sandbox).
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
        }
        watchdog.interrupt();
        watchdog.join(1000);
        sampleCpu();
        long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (stop == null) {
            // What it wrote just before it ended, between two looks of the watchdog, counts too.
            String over = diskOverCap(false);
            if (over != null) {
                synchronized (lock) {
                    stop = Stop.DISK;
                    stopDetail = over;
                }
            }
        }
        JobOutcome outcome = outcome(exit);
        List<OutputFileInfo> files = List.of();
        if (stop != Stop.ABANDONED) {
            try {
                files = WorkTree.outputFiles(workDir, spec, MAX_FILES);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot list the files of " + spec.label(), e);
            }
        }
        ResourceUse use;
        synchronized (lock) {
            use = new ResourceUse(cpuMillis(), wallMs, stdoutBytes, stderrBytes);
        }
        result = new RunResult(outcome, use, workDir, files);
        return result;
    }

    private JobOutcome outcome(int exit) {
        Stop s = stop;
        LenderSettings l = sandbox.settings();
        if (s != null) {
            return switch (s) {
                case CANCELLED, ABANDONED -> new JobOutcome.Cancelled();
                case WALL_CLOCK -> new JobOutcome.LimitExceeded(Limit.WALL_CLOCK, stopDetail);
                case OUTPUT, DISK -> new JobOutcome.LimitExceeded(Limit.OUTPUT, stopDetail);
            };
        }
        if (exit == 0) {
            return new JobOutcome.Succeeded();
        }
        String tail;
        synchronized (lock) {
            tail = new String(stderrTail, 0, tailLen, StandardCharsets.UTF_8);
        }
        String lastLine = lastLine(tail);
        if (exit == 128 + 24 || (exit == 128 + 9 && cpuMillis() >= l.cpuSeconds() * 1000L - 500)) {
            return new JobOutcome.LimitExceeded(Limit.CPU_TIME,
                    "used its " + l.cpuSeconds() + " s of CPU time");
        }
        if (lastLine.startsWith("MemoryError")) {
            return new JobOutcome.LimitExceeded(Limit.MEMORY,
                    "ran out of its " + l.memoryMb() + " MiB of memory");
        }
        if (exit == 128 + 25 || lastLine.contains("[Errno 27] File too large")) {
            return new JobOutcome.LimitExceeded(Limit.FILE_SIZE,
                    "wrote a file larger than " + l.maxOutputMb() + " MiB");
        }
        if (sandbox.isSafe() && (lastLine.startsWith("BlockingIOError")
                || lastLine.contains("can't start new thread"))
                && lastLine.contains("Resource temporarily unavailable")) {
            return new JobOutcome.LimitExceeded(Limit.PROCESSES,
                    "tried to run more than " + l.maxProcesses() + " processes");
        }
        if (sandbox.isSafe() && exit == 1 && tail.startsWith("bwrap:")) {
            return new JobOutcome.Error("the sandbox failed: " + tail.strip());
        }
        return new JobOutcome.Failed(exit);
    }

    private static String lastLine(String tail) {
        String t = tail.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1);
    }

    private void pump(InputStream in, StreamKind stream) {
        byte[] buf = new byte[idle.shared.protocol.Limits.CHUNK_BYTES];
        boolean deliver = true;
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                long total;
                synchronized (lock) {
                    if (stream == StreamKind.STDOUT) {
                        stdoutBytes += n;
                    } else {
                        stderrBytes += n;
                        keepTail(buf, n);
                    }
                    total = stdoutBytes + stderrBytes;
                }
                if (total > outputCap) {
                    if (deliver) {
                        long over = total - outputCap;
                        if (n > over) {
                            deliver(stream, java.util.Arrays.copyOf(buf, (int) (n - over)));
                        }
                        kill(Stop.OUTPUT, "printed more than " + sandbox.settings().maxOutputMb()
                                + " MiB");
                    }
                    deliver = false;
                    continue; // drain and drop until the process is gone
                }
                if (deliver && stop == null) {
                    deliver = deliver(stream, java.util.Arrays.copyOf(buf, n));
                }
            }
        } catch (IOException e) {
            if (!exited) {
                LOG.log(Level.FINE, "pipe of " + spec.label() + " failed", e);
            }
        } catch (InterruptedException e) {
            // The receiving side is gone (connection lost): stop the script.
            kill(Stop.ABANDONED, "output could not be delivered");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "output sink failed", e);
            kill(Stop.ABANDONED, "output could not be delivered");
        }
    }

    /** Hands a chunk to the sink; false (and the script is stopped) when it cannot take it. */
    private boolean deliver(StreamKind stream, byte[] chunk) throws InterruptedException {
        try {
            sink.output(stream, chunk);
            return true;
        } catch (IOException e) {
            kill(Stop.ABANDONED, "output could not be delivered: " + e.getMessage());
            return false;
        }
    }

    private void keepTail(byte[] b, int n) {
        if (n >= TAIL_BYTES) {
            System.arraycopy(b, n - TAIL_BYTES, stderrTail, 0, TAIL_BYTES);
            tailLen = TAIL_BYTES;
            return;
        }
        int keep = Math.min(tailLen, TAIL_BYTES - n);
        System.arraycopy(stderrTail, tailLen - keep, stderrTail, 0, keep);
        System.arraycopy(b, 0, stderrTail, keep, n);
        tailLen = keep + n;
    }

    private void watch() {
        LenderSettings l = sandbox.settings();
        long timeoutNanos = TimeUnit.SECONDS.toNanos(l.timeoutSeconds());
        int tick = 0;
        try {
            while (process.isAlive()) {
                long active;
                synchronized (lock) {
                    long pausedNow = paused ? System.nanoTime() - pausedSince : 0;
                    active = System.nanoTime() - startNanos - pausedTotalNanos - pausedNow;
                }
                if (active > timeoutNanos) {
                    kill(Stop.WALL_CLOCK, "ran longer than " + l.timeoutSeconds() + " s");
                    return;
                }
                sampleCpu();
                if (tick++ % 2 == 0) {
                    checkDisk();
                }
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            // finishing
        }
    }

    private void checkDisk() {
        String over = diskOverCap(true);
        if (over != null) {
            kill(Stop.DISK, over);
        }
    }

    /**
     * Why the working directory breaks the output cap (its bytes plus what was printed), or holds
     * too many files, or cannot be measured; null when it is within bounds.
     */
    private String diskOverCap(boolean running) {
        WorkTree.Usage usage = WorkTree.measure(workDir, MAX_FILES, running);
        long written = Math.max(0, usage.bytes() - initialBytes);
        long printed;
        synchronized (lock) {
            printed = stdoutBytes + stderrBytes;
        }
        if (usage.problem() != null) {
            return usage.problem();
        }
        if (written + printed > outputCap) {
            return "wrote more than " + sandbox.settings().maxOutputMb()
                    + " MiB (output and files together)";
        }
        if (usage.entries() > MAX_FILES) {
            return "created more than " + MAX_FILES + " files";
        }
        return null;
    }

    /** Adds up the CPU time of every live process of the tree (per pid, the most seen). */
    private void sampleCpu() {
        List<ProcessHandle> tree = tree();
        for (ProcessHandle h : tree) {
            long ms = cpuOf(h.pid());
            if (ms >= 0) {
                synchronized (lock) {
                    cpuByPid.merge(h.pid(), ms, Math::max);
                }
            }
        }
    }

    private static long cpuOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            String[] f = stat.substring(close + 2).split(" ");
            // f[0] is field 3 (state); utime is field 14, stime 15.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * CLOCK_TICK_MS;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private List<ProcessHandle> tree() {
        List<ProcessHandle> all = new ArrayList<>();
        ProcessHandle self = process.toHandle();
        all.add(self);
        self.descendants().forEach(all::add);
        return all;
    }

    private void kill(Stop why, String detail) {
        synchronized (lock) {
            if (stop != null || exited) {
                return;
            }
            stopDetail = detail;
            stop = why;
        }
        killTree();
    }

    /** SIGKILL to every process of the tree, children first, until none is left. */
    private void killTree() {
        for (int round = 0; round < 20; round++) {
            List<ProcessHandle> tree = tree();
            boolean any = false;
            for (int i = tree.size() - 1; i >= 0; i--) {
                ProcessHandle h = tree.get(i);
                if (h.isAlive()) {
                    any = true;
                    h.destroyForcibly();
                }
            }
            if (!any) {
                return;
            }
            if (paused) {
                signalTree("CONT"); // a stopped process dies on SIGKILL anyway; be explicit
            }
            if (!process.toHandle().isAlive() && process.toHandle().descendants().findAny().isEmpty()) {
                return;
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void signalTree(String signal) {
        List<String> cmd = new ArrayList<>(List.of("/bin/kill", "-" + signal));
        for (ProcessHandle h : tree()) {
            cmd.add(Long.toString(h.pid()));
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot send SIG" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes a tree without following links, however deep, even if the script removed permissions. */
    static void deleteTree(Path dir) {
        WorkTree.delete(dir);
    }

    private Thread thread(String what, Runnable r) {
        Thread t = new Thread(r, "idle-job " + spec.label() + " " + what);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
