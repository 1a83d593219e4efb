package idle.client.lender;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The lender's own record of every job it served: one tab-separated line per job in
 * {@code <data dir>/lender-jobs.log}, appended when the job ends, readable by its owner:
 * <pre>
 * finished (UTC ISO-8601)  job id  attempt  script name  script SHA-256  outcome  CPU ms  wall ms
 *   stdout bytes  stderr bytes  files sent
 * </pre>
 * Never the runner's name: the lender does not know it. Thread-safe.
 */
public final class JobLog {
    /** The log's file name inside the client data directory. */
    public static final String FILE_NAME = "lender-jobs.log";
    private static final String HEADER = "# finished\tjob\tattempt\tscript\tsha256\toutcome\tcpu_ms"
            + "\twall_ms\tstdout_bytes\tstderr_bytes\tfiles_sent\n";

    private final Path file;

    public JobLog(Path dataDir) {
        this.file = dataDir.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** Appends one job (and creates the file with a header line first). */
    public synchronized void append(ServedJob j) throws IOException {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.writeString(file, HEADER, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        }
        String line = String.join("\t", j.finishedAt().toString(), Long.toString(j.jobId()),
                Integer.toString(j.attempt()), clean(j.scriptName()), j.scriptSha256(),
                clean(j.outcomeText()), Long.toString(j.use().cpuMillis()),
                Long.toString(j.use().wallMillis()), Long.toString(j.use().stdoutBytes()),
                Long.toString(j.use().stderrBytes()), Integer.toString(j.filesSent())) + "\n";
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** The lines of the log without its header (oldest first); empty when nothing was served. */
    public synchronized List<String> lines() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
