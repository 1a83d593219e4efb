package idle.shared.model;

import java.util.List;
import java.util.Objects;

/**
 * Everything a runner may know about one of its jobs. A verified job lists its replicas'
 * results side by side ({@code replicas}, in the order they ended; empty for a job that is not
 * verified or whose vote has no result yet); its {@code files}, {@code cpuMillis} and
 * {@code outputSha256} are those of the replica whose output it serves.
 */
public record JobDetail(JobSummary summary, String scriptSha256, List<String> args,
        List<String> inputNames, List<OutputFileInfo> files, long cpuMillis, String outputSha256,
        List<ReplicaResult> replicas) {
    /** A job that is not verified. */
    public JobDetail(JobSummary summary, String scriptSha256, List<String> args,
            List<String> inputNames, List<OutputFileInfo> files, long cpuMillis,
            String outputSha256) {
        this(summary, scriptSha256, args, inputNames, files, cpuMillis, outputSha256, List.of());
    }

    public JobDetail {
        replicas = List.copyOf(replicas);
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(scriptSha256, "scriptSha256");
        args = List.copyOf(args);
        inputNames = List.copyOf(inputNames);
        files = List.copyOf(files);
        Objects.requireNonNull(outputSha256, "outputSha256");
    }
}
