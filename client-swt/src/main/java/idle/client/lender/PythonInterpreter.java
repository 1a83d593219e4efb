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
 * the sandbox and cost 50-80 ms per start): its path, version and installation prefix.
 */
public record PythonInterpreter(Path executable, String version, Path prefix) {
    /** Where a system python3 usually is, tried in order when none is configured. */
    static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/python3"),
            Path.of("/usr/local/bin/python3"), Path.of("/bin/python3"));

    /** True when the interpreter lives under /usr (visible in the sandbox without more binds). */
    public boolean underUsr() {
        return executable.startsWith("/usr") && prefix.startsWith("/usr");
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

    /** Checks one candidate: exists, not a shim, answers its version. */
    public static PythonInterpreter probe(Path candidate) throws IOException {
        if (!Files.isExecutable(candidate)) {
            throw new IOException(candidate + " is not an executable file");
        }
        Path real = candidate.toRealPath();
        if (isShim(real)) {
            throw new IOException(candidate + " is a version-manager shim, not an interpreter");
        }
        ProcessBuilder pb = new ProcessBuilder(real.toString(), "-I", "-S", "-c",
                "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.base_prefix)");
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
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
        if (p.exitValue() != 0 || lines.length < 2 || !lines[0].matches("3\\.\\d+\\.\\d+")) {
            throw new IOException(candidate + " is not a working python3: " + out.strip());
        }
        return new PythonInterpreter(real, lines[0].strip(), Path.of(lines[1].strip()));
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
