package idle.client.cli;

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
 * Turns {@code idle run SCRIPT --each FILE | --each-input FILE... | --repeat N} into the tasks of
 * a sweep: one per non-empty line of FILE (lines starting with {@code #} are comments), split
 * like a shell would ({@link ShellWords}) into the script's arguments; one per input file (the
 * file is the task's input and its name the first argument); or N with the index as the
 * argument. Arguments after {@code --} follow each task's own. Stateless.
 */
final class SweepSpec {
    private SweepSpec() {
    }

    /** The argument lists of {@code --each FILE}; a usage error names a bad line. */
    static List<List<String>> eachLine(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliExit(ExitCodes.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            try {
                out.add(ShellWords.split(line));
            } catch (IllegalArgumentException e) {
                throw new CliExit(ExitCodes.USAGE, file + " line " + (i + 1) + ": "
                        + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new CliExit(ExitCodes.USAGE, file + " has no parameter lines");
        }
        return out;
    }

    /** The tasks of {@code --each}: task i gets line i's words, then {@code common}. */
    static List<SweepTask> ofLines(List<List<String>> lines, List<String> common) {
        List<SweepTask> tasks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            List<String> args = new ArrayList<>(lines.get(i));
            args.addAll(common);
            tasks.add(SweepTask.of(i, args));
        }
        return tasks;
    }

    /** The tasks of {@code --each-input}: task i gets file i as input and its name first. */
    static List<SweepTask> ofInputs(List<Path> files, List<String> common) {
        List<SweepTask> tasks = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path p = files.get(i);
            if (!Files.isRegularFile(p)) {
                throw new CliExit(ExitCodes.USAGE, "input file not found: " + p);
            }
            byte[] data;
            try {
                data = Files.readAllBytes(p);
            } catch (IOException e) {
                throw new CliExit(ExitCodes.USAGE, "cannot read " + p + ": " + e.getMessage());
            }
            String name = p.getFileName().toString();
            List<String> args = new ArrayList<>();
            args.add(name);
            args.addAll(common);
            tasks.add(new SweepTask(i, args, List.of(new InputFile(name, data,
                    Sha256.hex(data)))));
        }
        return tasks;
    }

    /** The tasks of {@code --repeat N}: task i gets {@code i}, then {@code common}. */
    static List<SweepTask> repeat(int n, List<String> common) {
        List<SweepTask> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> args = new ArrayList<>();
            args.add(Integer.toString(i));
            args.addAll(common);
            tasks.add(SweepTask.of(i, args));
        }
        return tasks;
    }

    /** The request for {@code script} with these tasks and shared input files. */
    static SweepRequest request(Path script, List<Path> shared, List<SweepTask> tasks,
            WaitPolicy policy) {
        if (!Files.isRegularFile(script)) {
            throw new CliExit(ExitCodes.USAGE, "script not found: " + script);
        }
        try {
            List<InputFile> in = new ArrayList<>();
            for (Path p : shared) {
                if (!Files.isRegularFile(p)) {
                    throw new CliExit(ExitCodes.USAGE, "input file not found: " + p);
                }
                byte[] d = Files.readAllBytes(p);
                in.add(new InputFile(p.getFileName().toString(), d, Sha256.hex(d)));
            }
            return new SweepRequest(script.getFileName().toString(), Files.readAllBytes(script),
                    in, tasks, JobNeeds.NONE, policy);
        } catch (IOException e) {
            throw new CliExit(ExitCodes.USAGE, "cannot read " + script + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CliExit(ExitCodes.USAGE, e.getMessage());
        }
    }
}
