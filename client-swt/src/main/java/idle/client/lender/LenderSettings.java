package idle.client.lender;

import idle.shared.model.LenderCapabilities;
import idle.shared.tls.KnownServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a lender offers and how it protects itself. Sizes in MiB, times in seconds.
 *
 * @param maxJobs jobs run at once
 * @param cpuSeconds CPU time per process of a job (RLIMIT_CPU)
 * @param memoryMb address space per process of a job (RLIMIT_AS)
 * @param timeoutSeconds wall-clock time per job
 * @param maxOutputMb output per job: stdout + stderr + files written (also the largest file)
 * @param maxProcesses processes (and threads) a job may have at once, counted per sandbox
 * @param maxOpenFiles open files per process
 * @param pythons the interpreters of the environments to lend, in order (the first is the
 *     default one), at most {@link LenderCapabilities#MAX_ENVIRONMENTS}; empty to find a real
 *     python3
 * @param whenIdle only take jobs while the machine is otherwise idle
 * @param idle the thresholds of the when-idle policy
 * @param unsafeNoSandbox run scripts without bubblewrap (dangerous; for trusted scripts only)
 * @param dataDir the client data directory (the job log lives here), e.g. {@code ~/.idle/client}
 * @param workRoot where this lender makes its private directory for job working directories;
 *     null for the system's temporary directory (see {@link WorkRoot})
 * @param allowUserNamespaces lend even where nothing stops jobs from making user namespaces (an
 *     old bubblewrap and no seccomp filter; see {@link NamespaceGuard}); dangerous
 */
public record LenderSettings(int maxJobs, int cpuSeconds, int memoryMb, int timeoutSeconds,
        int maxOutputMb, int maxProcesses, int maxOpenFiles, List<Path> pythons, boolean whenIdle,
        IdlePolicy idle, boolean unsafeNoSandbox, Path dataDir, Path workRoot,
        boolean allowUserNamespaces) {
    public LenderSettings {
        if (maxJobs < 1) {
            throw new IllegalArgumentException("--max-jobs must be at least 1");
        }
        if (cpuSeconds < 1 || memoryMb < 32 || timeoutSeconds < 1 || maxOutputMb < 1
                || maxProcesses < 2 || maxOpenFiles < 16) {
            throw new IllegalArgumentException("limits too small: cpu " + cpuSeconds + " s, memory "
                    + memoryMb + " MiB, timeout " + timeoutSeconds + " s, output " + maxOutputMb
                    + " MiB, processes " + maxProcesses + ", open files " + maxOpenFiles);
        }
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(dataDir, "dataDir");
        pythons = List.copyOf(pythons);
        if (pythons.size() > LenderCapabilities.MAX_ENVIRONMENTS) {
            throw new IllegalArgumentException("--python is given " + pythons.size()
                    + " times; a lender offers at most " + LenderCapabilities.MAX_ENVIRONMENTS
                    + " environments");
        }
        if (new java.util.HashSet<>(pythons).size() < pythons.size()) {
            throw new IllegalArgumentException("--python names the same interpreter twice");
        }
    }

    /** Defaults: 1 job, 600 CPU s, 1 GiB, 1 hour, 256 MiB output, 64 processes, 256 files. */
    public static LenderSettings defaults(Path dataDir) {
        return new LenderSettings(1, 600, 1024, 3600, 256, 64, 256, List.of(), false,
                IdlePolicy.defaults(), false, dataDir, null, false);
    }

    /** The default client data directory: {@code $IDLE_HOME/client}, IDLE_HOME defaulting to ~/.idle. */
    public static Path defaultDataDir() {
        return KnownServers.idleHome().resolve("client");
    }

    public LenderSettings withMaxJobs(int n) {
        return new LenderSettings(n, cpuSeconds, memoryMb, timeoutSeconds, maxOutputMb,
                maxProcesses, maxOpenFiles, pythons, whenIdle, idle, unsafeNoSandbox, dataDir, workRoot,
                allowUserNamespaces);
    }

    public LenderSettings withLimits(int cpu, int memMb, int timeout, int outputMb) {
        return new LenderSettings(maxJobs, cpu, memMb, timeout, outputMb, maxProcesses,
                maxOpenFiles, pythons, whenIdle, idle, unsafeNoSandbox, dataDir, workRoot,
                allowUserNamespaces);
    }

    public LenderSettings withProcessLimits(int processes, int openFiles) {
        return new LenderSettings(maxJobs, cpuSeconds, memoryMb, timeoutSeconds, maxOutputMb,
                processes, openFiles, pythons, whenIdle, idle, unsafeNoSandbox, dataDir, workRoot,
                allowUserNamespaces);
    }

    /** One interpreter to lend; null to find a real python3. */
    public LenderSettings withPython(Path p) {
        return withPythons(p == null ? List.of() : List.of(p));
    }

    /** The interpreters of the environments to lend (see {@link #pythons}). */
    public LenderSettings withPythons(List<Path> ps) {
        return new LenderSettings(maxJobs, cpuSeconds, memoryMb, timeoutSeconds, maxOutputMb,
                maxProcesses, maxOpenFiles, ps, whenIdle, idle, unsafeNoSandbox, dataDir, workRoot,
                allowUserNamespaces);
    }

    public LenderSettings withWhenIdle(boolean on, IdlePolicy policy) {
        return new LenderSettings(maxJobs, cpuSeconds, memoryMb, timeoutSeconds, maxOutputMb,
                maxProcesses, maxOpenFiles, pythons, on, policy, unsafeNoSandbox, dataDir, workRoot,
                allowUserNamespaces);
    }

    public LenderSettings withUnsafeNoSandbox(boolean unsafe) {
        return new LenderSettings(maxJobs, cpuSeconds, memoryMb, timeoutSeconds, maxOutputMb,
                maxProcesses, maxOpenFiles, pythons, whenIdle, idle, unsafe, dataDir, workRoot,
                allowUserNamespaces);
    }

    public LenderSettings withWorkRoot(Path root) {
        return new LenderSettings(maxJobs, cpuSeconds, memoryMb, timeoutSeconds, maxOutputMb,
                maxProcesses, maxOpenFiles, pythons, whenIdle, idle, unsafeNoSandbox, dataDir, root,
                allowUserNamespaces);
    }

    public LenderSettings withAllowUserNamespaces(boolean allow) {
        return new LenderSettings(maxJobs, cpuSeconds, memoryMb, timeoutSeconds, maxOutputMb,
                maxProcesses, maxOpenFiles, pythons, whenIdle, idle, unsafeNoSandbox, dataDir, workRoot,
                allow);
    }

    /**
     * The when-idle policy: the machine counts as busy when processes other than IDLE's jobs use
     * more than {@code busyPercent} of all CPUs for {@code busyAfter}; idle again after
     * {@code idleAfter} below it. Jobs paused longer than {@code giveBackAfter} are given back.
     */
    public record IdlePolicy(int busyPercent, Duration busyAfter, Duration idleAfter,
            Duration giveBackAfter, Duration sampleEvery) {
        public IdlePolicy {
            if (busyPercent < 1 || busyPercent > 100) {
                throw new IllegalArgumentException("busy threshold " + busyPercent + "% outside 1..100");
            }
            Objects.requireNonNull(busyAfter);
            Objects.requireNonNull(idleAfter);
            Objects.requireNonNull(giveBackAfter);
            Objects.requireNonNull(sampleEvery);
        }

        public static IdlePolicy defaults() {
            return new IdlePolicy(25, Duration.ofSeconds(3), Duration.ofSeconds(60),
                    Duration.ofMinutes(5), Duration.ofSeconds(1));
        }
    }
}
