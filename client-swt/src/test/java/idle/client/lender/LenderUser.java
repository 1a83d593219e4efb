package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A lender who is not root, for the tests of holes that root does not have (root reads any
 * directory, and its work directory is not under a home). When the tests run as root, the
 * lender is the user {@value #NAME}, made with {@code useradd -m} on first use, and
 * {@link SandboxProbe} runs as that user through {@code setpriv}, from its home, with a login's
 * environment ({@code HOME}, {@code USER}, {@code LOGNAME}); otherwise it runs as the current
 * user. Only the compiled classes of this module and of {@code shared} are on its classpath
 * (the Maven repository under /root is not readable by that user, and is not needed).
 */
final class LenderUser {
    /** The login name of the unprivileged test lender (distinctive, to find it in any output). */
    static final String NAME = "idletestlender";

    private final String login;
    private final Path home;
    private final boolean switchUser;

    private LenderUser(String login, Path home, boolean switchUser) {
        this.login = login;
        this.home = home;
        this.switchUser = switchUser;
    }

    /** The unprivileged lender: {@value #NAME} when running as root (made if missing), else me. */
    static LenderUser get() throws Exception {
        if (Sandbox.currentUid() != 0) {
            String me = System.getenv().getOrDefault("USER", System.getProperty("user.name"));
            return new LenderUser(me, Path.of(passwdField(me, 5)), false);
        }
        if (run(List.of("/usr/bin/id", "-u", NAME)) != 0) {
            assertEquals(0, run(List.of("/usr/sbin/useradd", "-m", "-s", "/bin/sh", NAME)),
                    "useradd -m " + NAME);
        }
        return new LenderUser(NAME, Path.of(passwdField(NAME, 5)), true);
    }

    String login() {
        return login;
    }

    /** The lender's home directory (its data directory lives under it, as by default). */
    Path home() {
        return home;
    }

    /** The data directory {@code idle lend} would use: {@code ~/.idle/client}. */
    Path dataDir() {
        return home.resolve(".idle/client");
    }

    /** Runs {@code cmd} as this lender, from its home; fails the test unless it exits 0. */
    void runAs(List<String> cmd) throws Exception {
        List<String> full = new ArrayList<>();
        if (switchUser) {
            full.addAll(List.of("/usr/bin/setpriv", "--reuid=" + login, "--regid=" + login,
                    "--init-groups", "--"));
        }
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).directory(home.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", full));
        assertEquals(0, p.exitValue(), String.join(" ", full) + ": " + out);
    }

    /** Runs {@link SandboxProbe} as this lender with {@code args} (see there) and returns its report. */
    Map<String, String> probe(Map<String, String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (switchUser) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=" + login, "--regid=" + login,
                    "--init-groups", "--"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", classpath(), SandboxProbe.class.getName()));
        args.forEach((k, v) -> cmd.add(k + "=" + SandboxProbe.encode(v)));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().clear();
        pb.environment().putAll(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", home.toString(),
                "USER", login, "LOGNAME", login, "LANG", "C.UTF-8"));
        Path err = Files.createTempFile("probe", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not end");
        String stderr = Files.readString(err);
        Files.delete(err);
        assertEquals(0, p.exitValue(), "the probe failed: " + stderr + out);
        Map<String, String> report = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                report.put(line.substring(0, eq), SandboxProbe.decode(line.substring(eq + 1)));
            }
        }
        report.put("probeStderr", stderr);
        return report;
    }

    /**
     * This module's and {@code shared}'s classes, and the jars they need copied to a directory
     * that user can read (the Maven repository under /root is not).
     */
    private static String classpath() throws IOException {
        List<String> cp = new ArrayList<>();
        Path jars = Path.of("target", "lender-user-jars").toAbsolutePath();
        Files.createDirectories(jars);
        for (Class<?> c : List.of(SandboxProbe.class, Sandbox.class,
                idle.shared.protocol.FileNames.class,
                org.apache.commons.codec.digest.DigestUtils.class)) {
            Path where = Path.of(c.getProtectionDomain().getCodeSource().getLocation().getPath());
            if (Files.isRegularFile(where)) {
                Path copy = jars.resolve(where.getFileName());
                Files.copy(where, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions
                        .fromString("rw-r--r--"));
                where = copy;
            }
            if (!cp.contains(where.toString())) {
                cp.add(where.toString());
            }
        }
        return String.join(":", cp);
    }

    private static String passwdField(String user, int field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = l.split(":", -1);
            if (f[0].equals(user)) {
                return f[field];
            }
        }
        throw new IOException(user + " is not in /etc/passwd");
    }

    private static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        return p.exitValue();
    }
}
