package idle.client.ui.model;

import idle.client.runner.ShellWords;
import idle.client.runner.SweepRequest;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.SweepTask;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sweep made from a script in the queue, as the command line's {@code --each},
 * {@code --each-input} and {@code --repeat} make one: one task per line of a parameter file
 * (split like a shell would; blank and {@code #} lines skipped), per input file of the script
 * (the file its input and first argument), or N tasks with the index as the argument. The
 * script's arguments follow each task's own. Reads files: call it on a worker thread.
 */
public final class SweepDraft {
    /** How the tasks are made. */
    public enum Mode { EACH_LINE, EACH_INPUT, REPEAT }

    private SweepDraft() {
    }

    /**
     * The request for {@code script}.
     *
     * @param params the parameter file (EACH_LINE), else ignored
     * @param repeat the number of tasks (REPEAT), else ignored
     * @throws IOException when a file cannot be read
     * @throws IllegalArgumentException with a sentence for the user (no lines, a bad quote, ...)
     */
    public static SweepRequest build(PendingScript script, Mode mode, Path params, int repeat,
            WaitPolicy policy) throws IOException {
        List<String> common = Arguments.split(script.args());
        List<SweepTask> tasks = new ArrayList<>();
        List<InputFile> shared = new ArrayList<>();
        switch (mode) {
            case EACH_LINE -> {
                int i = 0;
                for (String line : Files.readAllLines(params, StandardCharsets.UTF_8)) {
                    if (line.isBlank() || line.strip().startsWith("#")) {
                        continue;
                    }
                    List<String> args = new ArrayList<>(ShellWords.split(line));
                    args.addAll(common);
                    tasks.add(SweepTask.of(i++, args));
                }
                if (tasks.isEmpty()) {
                    throw new IllegalArgumentException(params.getFileName()
                            + " has no parameter lines");
                }
                for (Path p : script.inputs()) {
                    shared.add(read(p));
                }
            }
            case EACH_INPUT -> {
                if (script.inputs().isEmpty()) {
                    throw new IllegalArgumentException("add input files to "
                            + script.script().getFileName() + " first: one task runs per file");
                }
                for (int i = 0; i < script.inputs().size(); i++) {
                    InputFile f = read(script.inputs().get(i));
                    List<String> args = new ArrayList<>(List.of(f.name()));
                    args.addAll(common);
                    tasks.add(new SweepTask(i, args, List.of(f)));
                }
            }
            case REPEAT -> {
                if (repeat < 1 || repeat > 100_000) {
                    throw new IllegalArgumentException("the number of tasks must be between 1 and "
                            + "100000");
                }
                for (int i = 0; i < repeat; i++) {
                    List<String> args = new ArrayList<>(List.of(Integer.toString(i)));
                    args.addAll(common);
                    tasks.add(SweepTask.of(i, args));
                }
                for (Path p : script.inputs()) {
                    shared.add(read(p));
                }
            }
        }
        return new SweepRequest(script.script().getFileName().toString(),
                Files.readAllBytes(script.script()), shared, tasks, JobNeeds.NONE, policy);
    }

    private static InputFile read(Path p) throws IOException {
        byte[] d = Files.readAllBytes(p);
        return new InputFile(p.getFileName().toString(), d, Sha256.hex(d));
    }
}
