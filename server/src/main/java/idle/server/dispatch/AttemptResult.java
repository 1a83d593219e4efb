package idle.server.dispatch;

import idle.shared.model.JobOutcome;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ResourceUse;
import java.util.List;
import java.util.Objects;

/**
 * What one attempt produced, handed over by {@link LenderRun} at FIN.
 *
 * @param outcome how the process ended, as the lender says
 * @param use the resources it used, as the lender says
 * @param outputBytes stdout + stderr + files received and stored, bytes
 * @param outputSha256 SHA-256 of stdout and stderr in the order received (hex)
 * @param stdoutSha256 SHA-256 of the stdout bytes the server received and stored (hex)
 * @param stderrSha256 SHA-256 of the stderr bytes the server received and stored (hex)
 * @param files the output files received intact (their SHA-256 checked against the bytes
 *     received)
 */
record AttemptResult(JobOutcome outcome, ResourceUse use, long outputBytes, String outputSha256,
        String stdoutSha256, String stderrSha256, List<OutputFileInfo> files) {
    AttemptResult {
        Objects.requireNonNull(stdoutSha256, "stdoutSha256");
        Objects.requireNonNull(stderrSha256, "stderrSha256");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(use, "use");
        Objects.requireNonNull(outputSha256, "outputSha256");
        files = List.copyOf(files);
    }
}
