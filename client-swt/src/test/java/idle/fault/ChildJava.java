package idle.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start the other programs of IDLE as real child processes (a server, a lender) from a
 * test or the benchmark: which {@code java} and which classpath. The classpath is the module's
 * compiled classes plus {@code target/test-classpath.txt} (written by the build), found from
 * {@code -Didle.root} (the launcher sets it) or the working directory (Surefire runs in
 * {@code client-swt/}).
 */
public final class ChildJava {
    private ChildJava() {
    }

    /** The java binary of this JVM. */
    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The repository root: {@code -Didle.root}, else found from the working directory. */
    public static Path root() {
        String r = System.getProperty("idle.root");
        if (r != null) {
            return Path.of(r).toAbsolutePath();
        }
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isDirectory(cwd.resolve("client-swt"))) {
            return cwd;
        }
        if (cwd.getFileName().toString().equals("client-swt")) {
            return cwd.getParent();
        }
        throw new IllegalStateException("cannot find the IDLE root from " + cwd
                + "; run from the repository or set -Didle.root");
    }

    /** The classpath of client-swt's tests: its classes and every dependency (server included). */
    public static String classpath() {
        Path mod = root().resolve("client-swt");
        Path file = mod.resolve("target/test-classpath.txt");
        try {
            String deps = Files.readString(file).strip();
            return mod.resolve("target/test-classes") + ":" + mod.resolve("target/classes") + ":"
                    + deps;
        } catch (IOException e) {
            throw new IllegalStateException("missing " + file + ": build first (mvn package or "
                    + "./idle bench builds it)", e);
        }
    }

    /** {@code java [jvmArgs] -cp CP mainClass args}. */
    public static List<String> command(List<String> jvmArgs, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }
}
