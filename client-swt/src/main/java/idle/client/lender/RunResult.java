package idle.client.lender;

import idle.shared.model.JobOutcome;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ResourceUse;
import java.nio.file.Path;
import java.util.List;

/**
 * How a run ended: its outcome, what it used, and the files it wrote (regular files only, relative
 * to {@code workDir}, which still exists until {@link SandboxRun#cleanup()}).
 */
public record RunResult(JobOutcome outcome, ResourceUse use, Path workDir,
        List<OutputFileInfo> files) {
    public RunResult {
        files = List.copyOf(files);
    }
}
