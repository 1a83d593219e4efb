package idle.shared.model;

/** What one run of a job used on its lender: CPU and wall time in ms, output bytes per stream. */
public record ResourceUse(long cpuMillis, long wallMillis, long stdoutBytes, long stderrBytes) {
    public static final ResourceUse NONE = new ResourceUse(0, 0, 0, 0);
}
