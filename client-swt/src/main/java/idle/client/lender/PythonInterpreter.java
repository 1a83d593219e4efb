package idle.client.lender;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real python3 interpreter (not a pyenv or asdf shim, which would need the user's home inside
 * the sandbox and cost 50-80 ms per start): the path to run it by, its version and its
 * environment. A virtual environment's interpreter is run by its path inside the environment
 * (its {@code bin/python} is a link to the base python, and only the path it is started by tells
 * it which environment it is in); any other interpreter by its real path.
 *
 * @param executable the path to start it by
 * @param version its version, like "3.11.2"
 * @param prefix its {@code sys.prefix}: the environment (a virtual environment's directory, a
 *     conda environment, or the installation, like {@code /usr})
 * @param basePrefix its {@code sys.base_prefix}: the installation a virtual environment was made
 *     from; equal to {@code prefix} otherwise
 */
public record PythonInterpreter(Path executable, String version, Path prefix, Path basePrefix) {
    /** Where a system python3 usually is, tried in order when none is configured. */
    static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/python3"),
            Path.of("/usr/local/bin/python3"), Path.of("/bin/python3"));
    private static final Path USR = Path.of("/usr");

    /** True when the interpreter and its environment live under /usr (visible in the sandbox). */
    public boolean underUsr() {
        return executable.startsWith(USR) && prefix.startsWith(USR) && basePrefix.startsWith(USR);
    }

    /** True for a virtual environment ({@code python -m venv}). */
    public boolean isVirtualEnvironment() {
        return !prefix.equals(basePrefix);
    }

    /**
     * The configured interpreter, or the first real python3 found.
     *
     * @throws IOException with a message for a person when none works
     */
    public static PythonInterpreter locate(Path configured) throws IOException {
        if (configured != null) {
            return probe(configured);
        }
        List<String> tried = new ArrayList<>();
        for (Path p : candidates()) {
            try {
                return probe(p);
            } catch (IOException e) {
                tried.add(p + " (" + e.getMessage() + ")");
            }
        }
        throw new IOException("no usable python3 found; tried " + String.join(", ", tried)
                + ". Install it (sudo apt-get install python3) or pass --python PATH");
    }

    private static List<Path> candidates() {
        List<Path> out = new ArrayList<>(CANDIDATES);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    out.add(Path.of(dir, "python3"));
                }
            }
        }
        return out;
    }

    /**
     * Checks one candidate: exists, not a shim, answers its version and environment, and its
     * environment can be shown in the sandbox (an interpreter outside /usr must be inside its
     * environment's directory; a virtual environment must be made from a python under /usr).
     */
    public static PythonInterpreter probe(Path candidate) throws IOException {
        if (!Files.isExecutable(candidate)) {
            throw new IOException(candidate + " is not an executable file");
        }
        Path abs = candidate.toAbsolutePath().normalize();
        Path real = candidate.toRealPath();
        if (isShim(real)) {
            throw new IOException(candidate + " is a version-manager shim, not an interpreter");
        }
        boolean venv = hasVenvConfig(abs);
        Path run = venv ? abs : real;
        // Without site (-S) unless a virtual environment: site is what makes sys.prefix the
        // virtual environment's directory (and runs the environment's .pth files, the lender's own).
        List<String> cmd = new ArrayList<>(List.of(run.toString(), "-I"));
        if (!venv) {
            cmd.add("-S");
        }
        cmd.addAll(List.of("-c", "import sys; print('%d.%d.%d' % sys.version_info[:3]); "
                + "print(sys.prefix); print(sys.base_prefix)"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.redirectErrorStream(true);
        pb.directory(new java.io.File("/"));
        Process p = pb.start();
        String out;
        try {
            out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(candidate + " did not answer within 10 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + candidate + " for its version");
        }
        String[] lines = out.strip().split("\n");
        if (p.exitValue() != 0 || lines.length < 3
                || !lines[0].strip().matches("3\\.\\d+\\.\\d+")) {
            throw new IOException(candidate + " is not a working python3: " + out.strip());
        }
        PythonInterpreter py = new PythonInterpreter(run, lines[0].strip(),
                Path.of(lines[1].strip()).normalize(), Path.of(lines[2].strip()).normalize());
        py.checkShowable(candidate);
        return py;
    }

    private static boolean hasVenvConfig(Path exe) {
        Path dir = exe.getParent();
        return dir != null && (Files.isRegularFile(dir.resolve("pyvenv.cfg"))
                || dir.getParent() != null && Files.isRegularFile(dir.getParent().resolve("pyvenv.cfg")));
    }

    private void checkShowable(Path candidate) throws IOException {
        if (underUsr()) {
            return;
        }
        if (isVirtualEnvironment() && !basePrefix.startsWith(USR)) {
            throw new IOException(candidate + " is a virtual environment of " + basePrefix
                    + ", which is not under /usr: the sandbox shows only /usr of this machine. "
                    + "Make the environment with /usr/bin/python3 -m venv DIR");
        }
        if (!executable.startsWith(prefix)) {
            throw new IOException(candidate + " (" + executable + ") is not inside its "
                    + "environment " + prefix + "; give the python inside it, like "
                    + prefix.resolve("bin/python"));
        }
        Path home = Path.of(System.getProperty("user.home", "/")).toAbsolutePath().normalize();
        if (prefix.getNameCount() == 0 || home.startsWith(prefix)) {
            throw new IOException(candidate + " has its environment at " + prefix
                    + ", which holds your home directory: lend a python whose environment is a "
                    + "directory of its own (a virtual environment or a conda environment)");
        }
    }

    /** A shell script (pyenv, asdf) rather than an ELF binary. */
    static boolean isShim(Path p) throws IOException {
        byte[] head = new byte[2];
        try (var in = Files.newInputStream(p)) {
            if (in.read(head) < 2) {
                return true;
            }
        }
        return head[0] == '#' && head[1] == '!';
    }
}
