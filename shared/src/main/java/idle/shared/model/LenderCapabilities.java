package idle.shared.model;

import java.util.List;
import java.util.Objects;

/**
 * What a lender offers, sent with {@code MML}.
 *
 * @param pythonVersion version of the interpreter of its first environment, like "3.11.2"
 * @param cores logical CPUs of the machine
 * @param memoryMb physical memory of the machine, MiB
 * @param maxJobs jobs it runs at once
 * @param cpuSeconds CPU-time limit per job, seconds
 * @param memoryLimitMb address-space limit per job, MiB
 * @param timeoutSeconds wall-clock limit per job, seconds
 * @param maxOutputMb output cap per job (stdout+stderr+files), MiB
 * @param sandbox a short description of the sandbox, e.g. "bubblewrap" or "none (unsafe)"
 * @param whenIdle true when it only takes jobs while its owner leaves the machine idle
 * @param environments the python environments it offers, 1 to {@link #MAX_ENVIRONMENTS}; an
 *     {@code EXF} names the one a job runs in by its index in this list
 */
public record LenderCapabilities(String pythonVersion, int cores, long memoryMb, int maxJobs,
        int cpuSeconds, int memoryLimitMb, int timeoutSeconds, int maxOutputMb, String sandbox,
        boolean whenIdle, List<PythonEnvironment> environments) {
    /** Most environments one lender offers. */
    public static final int MAX_ENVIRONMENTS = 4;

    public LenderCapabilities {
        Objects.requireNonNull(pythonVersion, "pythonVersion");
        Objects.requireNonNull(sandbox, "sandbox");
        environments = List.copyOf(environments);
        if (maxJobs < 1) {
            throw new IllegalArgumentException("maxJobs must be at least 1");
        }
        if (environments.isEmpty() || environments.size() > MAX_ENVIRONMENTS) {
            throw new IllegalArgumentException(environments.size() + " environments; 1 to "
                    + MAX_ENVIRONMENTS + " expected");
        }
    }

    /** A lender with one environment whose modules are not reported. */
    public LenderCapabilities(String pythonVersion, int cores, long memoryMb, int maxJobs,
            int cpuSeconds, int memoryLimitMb, int timeoutSeconds, int maxOutputMb,
            String sandbox, boolean whenIdle) {
        this(pythonVersion, cores, memoryMb, maxJobs, cpuSeconds, memoryLimitMb, timeoutSeconds,
                maxOutputMb, sandbox, whenIdle, List.of(PythonEnvironment.unknown(pythonVersion)));
    }
}
