package idle.client.lender;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bubblewrap on this machine and the options of it the sandbox depends on. Both came with
 * bubblewrap 0.8.0; an older one silently lacks them, so the sandbox must know.
 *
 * @param path the {@code bwrap} executable
 * @param version its version, like "0.8.0"; empty when it did not say
 * @param disableUserns it has {@code --disable-userns}: no further user namespaces in the sandbox
 * @param bindFd it has {@code --bind-fd}: the job's directory is bound from an open file
 *     descriptor, so its host path is not on bubblewrap's command line
 */
public record Bubblewrap(Path path, String version, boolean disableUserns, boolean bindFd) {
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/bwrap"),
            Path.of("/usr/local/bin/bwrap"), Path.of("/bin/bwrap"));
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    public Bubblewrap {
        Objects.requireNonNull(path);
        Objects.requireNonNull(version);
    }

    /** Where bubblewrap is installed, if it is. */
    public static Optional<Path> find() {
        return CANDIDATES.stream().filter(Files::isExecutable).findFirst();
    }

    /** Asks the bubblewrap at {@code path} for its version and options. */
    public static Bubblewrap probe(Path path) {
        return of(path, output(path, "--version"), output(path, "--help"));
    }

    /**
     * The decision, from what {@code bwrap --version} and {@code bwrap --help} printed: an option
     * is there when the help lists it; without a help text, when the version is 0.8.0 or later.
     */
    static Bubblewrap of(Path path, String versionOutput, String helpOutput) {
        Matcher m = VERSION.matcher(versionOutput == null ? "" : versionOutput);
        boolean found = m.find();
        String version = found ? m.group() : "";
        boolean modern = found && atLeast(m, 0, 8);
        String help = helpOutput == null ? "" : helpOutput;
        boolean known = help.contains("--ro-bind");
        return new Bubblewrap(path, version,
                known ? help.contains("--disable-userns") : modern,
                known ? help.contains("--bind-fd") : modern);
    }

    private static boolean atLeast(Matcher m, int major, int minor) {
        int ma = Integer.parseInt(m.group(1));
        int mi = Integer.parseInt(m.group(2));
        return ma > major || (ma == major && mi >= minor);
    }

    private static String output(Path bwrap, String option) {
        try {
            Process p = new ProcessBuilder(bwrap.toString(), option).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
