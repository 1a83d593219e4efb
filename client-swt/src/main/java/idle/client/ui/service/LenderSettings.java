package idle.client.ui.service;

/**
 * The limits a person sets for lending this machine.
 *
 * @param maxJobs jobs run at once (at least 1)
 * @param cpuSeconds CPU seconds per job
 * @param memoryMb memory per job, MiB
 * @param timeoutSeconds wall-clock seconds per job
 * @param onlyWhenIdle take jobs only while the machine is otherwise idle
 */
public record LenderSettings(int maxJobs, int cpuSeconds, int memoryMb, int timeoutSeconds,
        boolean onlyWhenIdle) {
    public static final LenderSettings DEFAULTS = new LenderSettings(1, 60, 512, 120, false);

    public LenderSettings {
        if (maxJobs < 1 || cpuSeconds < 1 || memoryMb < 32 || timeoutSeconds < 1) {
            throw new IllegalArgumentException("lender limits out of range");
        }
    }
}
