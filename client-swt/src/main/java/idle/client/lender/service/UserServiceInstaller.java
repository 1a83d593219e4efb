package idle.client.lender.service;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Installs and removes the systemd user unit {@value #UNIT_NAME} that lends this machine in the
 * background, also after its user logs out: {@code idle lend --install-service} and the
 * workbench's "also after I log out" switch.
 *
 * <p>Contract: {@link #install} writes the unit into the user's unit directory (0644, directories
 * it makes 0700) and the password into its own file (0600, replaced atomically, never through a
 * symbolic link); the unit names that file, never the password. Then, when {@code systemctl
 * --user} works, it reloads, enables and (re)starts the unit and asks {@code loginctl} to keep the
 * user's manager running after logout; when it does not, the outcome says how to do that later.
 * {@link #uninstall} stops, disables and deletes both files. Each outside command gets
 * {@value #COMMAND_SECONDS} s. Blocking: call it off the UI thread; one call at a time.
 */
public final class UserServiceInstaller {
    public static final String UNIT_NAME = "idle-lend.service";
    static final String PASSWORD_FILE_NAME = "lend-service.password";
    static final long COMMAND_SECONDS = 30;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path unitDir;
    private final Path passwordFile;
    private final List<String> launcher;
    private final Map<String, String> environment;
    private final Path systemctl;
    private final Path loginctl;

    /**
     * @param unitDir where user units live ({@code ~/.config/systemd/user})
     * @param passwordFile the file the service reads its password from
     * @param launcher the command that starts this client (absolute program first)
     * @param environment variables the service needs set (for example {@code IDLE_HOME})
     * @param systemctl the systemctl program, or null when there is none
     * @param loginctl the loginctl program, or null when there is none
     */
    public UserServiceInstaller(Path unitDir, Path passwordFile, List<String> launcher,
            Map<String, String> environment, Path systemctl, Path loginctl) {
        this.unitDir = unitDir.toAbsolutePath();
        this.passwordFile = passwordFile.toAbsolutePath();
        this.launcher = List.copyOf(launcher);
        this.environment = new LinkedHashMap<>(environment);
        this.systemctl = systemctl;
        this.loginctl = loginctl;
        if (this.launcher.isEmpty()) {
            throw new IllegalArgumentException("no launcher");
        }
    }

    /**
     * The installer for the user running this process: units in {@code $XDG_CONFIG_HOME} (else
     * {@code ~/.config}) {@code /systemd/user}, the password in the client data directory, this
     * client's launcher, {@code IDLE_HOME} passed on when set, systemctl and loginctl from PATH.
     */
    public static UserServiceInstaller forThisUser(Function<String, String> env, Path clientDataDir) {
        String xdg = env.apply("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".config");
        Map<String, String> unitEnv = new LinkedHashMap<>();
        String idleHome = env.apply("IDLE_HOME");
        if (idleHome != null && !idleHome.isBlank()) {
            unitEnv.put("IDLE_HOME", Path.of(idleHome).toAbsolutePath().toString());
        }
        String path = env.apply("PATH");
        return new UserServiceInstaller(config.resolve("systemd").resolve("user"),
                clientDataDir.resolve(PASSWORD_FILE_NAME), ClientLauncher.current(), unitEnv,
                onPath(path, "systemctl"), onPath(path, "loginctl"));
    }

    private static Path onPath(String path, String program) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, program);
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    public Path unitFile() {
        return unitDir.resolve(UNIT_NAME);
    }

    public Path passwordFile() {
        return passwordFile;
    }

    /** Whether the unit file is there (installed, enabled or not). */
    public boolean isInstalled() {
        return Files.isRegularFile(unitFile());
    }

    /**
     * The unit's text. {@code lendArgs} are the options after {@code lend} (server, user, limits),
     * without any password option; the password file is added here.
     *
     * @param stopSeconds how long a stop may take before systemd kills the lender (withdrawing
     *     returns running jobs at once; {@code --on-stop finish} waits for them)
     * @throws IllegalArgumentException when an argument cannot go into a unit file
     */
    public String unitText(List<String> lendArgs, long stopSeconds) {
        for (String a : lendArgs) {
            if (a.equals("--password-file") || a.startsWith("--password-file=")) {
                throw new IllegalArgumentException("the service's password file is its own; do not pass --password-file");
            }
        }
        List<String> command = new ArrayList<>(launcher);
        command.add("lend");
        command.addAll(lendArgs);
        command.add("--password-file");
        command.add(passwordFile.toString());
        StringBuilder b = new StringBuilder();
        b.append("# IDLE lender, written by 'idle lend --install-service'; 'idle lend --uninstall-service' removes it.\n");
        b.append("# The password is in ").append(passwordFile.toString().replaceAll("\\p{Cntrl}", "?"))
                .append(" (readable by you only), never here.\n");
        b.append("[Unit]\n");
        b.append("Description=IDLE lender: lends this computer's idle computing power\n");
        b.append("\n[Service]\n");
        b.append("Type=exec\n");
        b.append("ExecStart=").append(UnitQuoting.commandLine(command)).append('\n');
        for (Map.Entry<String, String> e : environment.entrySet()) {
            b.append("Environment=").append(UnitQuoting.assignment(e.getKey(), e.getValue())).append('\n');
        }
        b.append("Restart=on-failure\n");
        b.append("RestartSec=30\n");
        b.append("# 64 usage, 76 server key not trusted, 77 login refused, 78 no safe sandbox: a restart cannot mend those.\n");
        b.append("RestartPreventExitStatus=64 76 77 78\n");
        b.append("# SIGTERM to the lender alone: it gives its jobs back and ends their sandboxes itself.\n");
        b.append("KillMode=mixed\n");
        b.append("TimeoutStopSec=").append(Math.max(15, stopSeconds)).append('\n');
        b.append("# Your own programs come first.\n");
        b.append("Nice=19\n");
        b.append("IOSchedulingClass=idle\n");
        b.append("\n[Install]\n");
        b.append("WantedBy=default.target\n");
        return b.toString();
    }

    /**
     * Writes the password file and the unit, then enables and starts the unit where
     * {@code systemctl --user} works.
     *
     * @param password the account's password; a line of its own (no line breaks), not kept
     * @throws IllegalArgumentException for a password or argument a file cannot carry
     * @throws IOException when a file cannot be written
     */
    public Outcome install(List<String> lendArgs, char[] password, long stopSeconds) throws IOException {
        Objects.requireNonNull(password);
        if (password.length == 0) {
            throw new IllegalArgumentException("an empty password cannot log in");
        }
        for (char c : password) {
            if (c == '\n' || c == '\r') {
                throw new IllegalArgumentException("the password holds a line break; the service reads one line");
            }
        }
        String text = unitText(lendArgs, stopSeconds);
        List<String> messages = new ArrayList<>();
        byte[] secret = encode(password);
        try {
            writeReplacing(passwordFile, secret, OWNER_ONLY);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        writeReplacing(unitFile(), text.getBytes(StandardCharsets.UTF_8), READABLE);
        messages.add("wrote the user service " + unitFile() + " (password in " + passwordFile
                + ", readable by you only)");
        String later = "systemctl --user daemon-reload && systemctl --user enable --now " + UNIT_NAME
                + "; to lend after you log out too: loginctl enable-linger";
        if (systemctl == null) {
            messages.add("systemctl is not here, so the service is not started; where systemd runs: " + later);
            return new Outcome(false, messages);
        }
        Ran reload = run(systemctl, "--user", "daemon-reload");
        if (!reload.ok()) {
            messages.add("systemd's user manager cannot be reached (" + reload.summary()
                    + "), so the service is not started; in your desktop session: " + later);
            return new Outcome(false, messages);
        }
        Ran enable = run(systemctl, "--user", "enable", UNIT_NAME);
        Ran restart = enable.ok() ? run(systemctl, "--user", "restart", UNIT_NAME) : enable;
        if (!restart.ok()) {
            messages.add("could not start the service (" + restart.summary() + "); see: systemctl --user status "
                    + UNIT_NAME);
            return new Outcome(false, messages);
        }
        messages.add("the service is enabled and running; its log: journalctl --user -u " + UNIT_NAME);
        Ran linger = loginctl == null ? null : run(loginctl, "enable-linger");
        messages.add(linger != null && linger.ok() ? "it keeps lending after you log out (loginctl enable-linger)"
                : "it stops when you log out; to keep it lending then: loginctl enable-linger (may need an admin)");
        return new Outcome(true, messages);
    }

    /** Stops and disables the unit where systemctl works, and deletes the unit and password files. */
    public Outcome uninstall() throws IOException {
        List<String> messages = new ArrayList<>();
        if (!Files.exists(unitFile(), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(passwordFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            messages.add("no lender service is installed (" + unitFile() + " is not there)");
            return new Outcome(false, messages);
        }
        if (systemctl != null) {
            Ran stop = run(systemctl, "--user", "disable", "--now", UNIT_NAME);
            messages.add(stop.ok() ? "stopped and disabled " + UNIT_NAME
                    : "systemctl could not stop it (" + stop.summary() + ")");
        }
        Files.deleteIfExists(unitFile());
        Files.deleteIfExists(passwordFile);
        if (systemctl != null) {
            run(systemctl, "--user", "daemon-reload");
        }
        messages.add("removed " + unitFile() + " and " + passwordFile);
        return new Outcome(false, messages);
    }

    /** What an install or uninstall did: whether the service now runs, and lines for the user. */
    public record Outcome(boolean running, List<String> messages) {
        public Outcome {
            messages = List.copyOf(messages);
        }
    }

    private static byte[] encode(char[] password) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[bb.remaining() + 1];
        bb.get(bytes, 0, bytes.length - 1);
        bytes[bytes.length - 1] = '\n';
        if (bb.hasArray()) {
            Arrays.fill(bb.array(), (byte) 0);
        }
        return bytes;
    }

    /**
     * Writes a fresh file beside {@code target} with its final permissions from the start, then
     * renames it over {@code target}: a reader never sees it half written or with wider
     * permissions, and a symbolic link at {@code target} is replaced, not followed.
     */
    private static void writeReplacing(Path target, byte[] content, Set<PosixFilePermission> perms)
            throws IOException {
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
            } catch (FileAlreadyExistsException e) {
                throw new IOException(dir + " is not a directory", e);
            }
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(perms));
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(content);
            }
            // createTempFile's mode goes through the umask; a umask cannot widen it, but say it.
            Files.setPosixFilePermissions(tmp, perms);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private record Ran(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        String summary() {
            String o = output.strip().replaceAll("\\s+", " ");
            return "exit " + exit + (o.isEmpty() ? "" : ": " + (o.length() > 200 ? o.substring(0, 200) + "…" : o));
        }
    }

    /** Runs a short outside command with the output captured in a file; -1 when it hung or failed. */
    private static Ran run(Path program, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(List.of(args));
        Path log = null;
        try {
            log = Files.createTempFile("idle-systemctl", ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(Duration.ofSeconds(COMMAND_SECONDS).toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Ran(-1, String.join(" ", cmd) + " did not finish in " + COMMAND_SECONDS + " s");
            }
            return new Ran(p.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Ran(-1, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Ran(-1, "interrupted");
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temporary log left behind harms nobody
                }
            }
        }
    }
}
