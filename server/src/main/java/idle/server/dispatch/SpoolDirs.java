package idle.server.dispatch;

import java.nio.file.Path;

/**
 * Where a job's output lives in the data directory: {@code spool/JOB/output} (stdout and stderr
 * as received) and {@code spool/JOB/files/NAME} (its output files). Names are joined as given:
 * callers pass only names the job really has.
 */
record SpoolDirs(Path root) {
    Path dir(long jobId) {
        return root.resolve(Long.toString(jobId));
    }

    Path output(long jobId) {
        return dir(jobId).resolve("output");
    }

    Path file(long jobId, String name) {
        return dir(jobId).resolve("files").resolve(name);
    }
}
