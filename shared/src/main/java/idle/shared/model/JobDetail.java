package idle.shared.model;

import java.util.List;
import java.util.Objects;

/** Everything a runner may know about one of its jobs. */
public record JobDetail(JobSummary summary, String scriptSha256, List<String> args,
        List<String> inputNames, List<OutputFileInfo> files, long cpuMillis, String outputSha256) {
    public JobDetail {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(scriptSha256, "scriptSha256");
        args = List.copyOf(args);
        inputNames = List.copyOf(inputNames);
        files = List.copyOf(files);
        Objects.requireNonNull(outputSha256, "outputSha256");
    }
}
