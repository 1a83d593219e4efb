package idle.shared.model;

import java.util.Objects;

/**
 * What a lender offers, sent with {@code MML}.
 *
 * @param pythonVersion version of the interpreter scripts run with, like "3.11.2"
 * @param cores logical CPUs of the machine
 * @param memoryMb physical memory of the machine, MiB
 * @param maxJobs jobs it runs at once
 * @param cpuSeconds CPU-time limit per job, seconds
 * @param memoryLimitMb address-space limit per job, MiB
 * @param timeoutSeconds wall-clock limit per job, seconds
 * @param maxOutputMb output cap per job (stdout+stderr+files), MiB
 * @param sandbox a short description of the sandbox, e.g. "bubblewrap" or "none (unsafe)"
 * @param whenIdle true when it only takes jobs while its owner leaves the machine idle
 */
public record LenderCapabilities(String pythonVersion, int cores, long memoryMb, int maxJobs,
        int cpuSeconds, int memoryLimitMb, int timeoutSeconds, int maxOutputMb, String sandbox,
        boolean whenIdle) {
    public LenderCapabilities {
        Objects.requireNonNull(pythonVersion, "pythonVersion");
        Objects.requireNonNull(sandbox, "sandbox");
        if (maxJobs < 1) {
            throw new IllegalArgumentException("maxJobs must be at least 1");
        }
    }
}
