package idle.db.testing;

import idle.db.DatabaseConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of its own for tests and the bench: {@code initdb} into a new
 * directory under {@code /tmp}, {@code pg_ctl start} on a free loopback port (its unix socket in
 * that directory too), a password-authenticated role that owns the databases made by
 * {@link #newDatabase}. {@link #close()} stops the server and deletes the directory; a JVM
 * shutdown hook does the same should the JVM end first (a test run that failed or was
 * interrupted leaves no server behind).
 *
 * <p>PostgreSQL refuses to run as root: as root the programs run as the {@code postgres} OS user
 * (Debian's package makes it; else {@code nobody}) through {@code setpriv}, and the directory is
 * given to that user. The programs are found with {@code pg_config --bindir}, else under
 * {@code /usr/lib/postgresql/VERSION/bin} (newest first). Starting takes 1-3 s; thread-safe.
 */
public final class PostgresCluster implements AutoCloseable {
    /** The role that owns the test databases; it logs in with a password over TCP. */
    public static final String ROLE = "idle";
    private static final String SUPERUSER = "postgres";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    /**
     * How the server keeps data: {@code durable} (fsync and synchronous commit on, PostgreSQL's
     * defaults) for the bench; otherwise neither, which is quicker for tests that do not crash.
     */
    public record Options(boolean durable) {
        public static Options forTests() {
            return new Options(false);
        }

        public static Options durableDefaults() {
            return new Options(true);
        }
    }

    private final Path bin;
    private final Path dir;
    /** Set once the server runs. */
    private volatile int port;
    private final String superPassword;
    private final String rolePassword;
    /** The OS user that runs PostgreSQL's programs when we are root; null otherwise. */
    private final String osUser;
    private final Thread hook;
    private boolean closed;

    private PostgresCluster(Path bin, Path dir, String superPassword, String rolePassword,
            String osUser) {
        this.bin = bin;
        this.dir = dir;
        this.superPassword = superPassword;
        this.rolePassword = rolePassword;
        this.osUser = osUser;
        this.hook = new Thread(this::stopAndDelete, "postgres-cluster-cleanup");
    }

    /** The directory of PostgreSQL's programs, if PostgreSQL is installed. */
    public static Optional<Path> findBinaries() {
        List<Path> candidates = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                candidates.add(Path.of(out));
            }
        } catch (IOException e) {
            // no pg_config on PATH: look in Debian's place below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.map(v -> v.resolve("bin"))
                        .sorted(Comparator.comparing(PostgresCluster::version).reversed())
                        .forEach(candidates::add);
            } catch (IOException e) {
                // unreadable: as if absent
            }
        }
        return candidates.stream()
                .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                .findFirst();
    }

    private static int version(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Creates and starts a cluster.
     *
     * @throws IllegalStateException when PostgreSQL is not installed or does not start (the
     *     message holds the server's log)
     */
    public static PostgresCluster start(Options options) {
        Path bin = findBinaries().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL is not installed (no pg_config --bindir, nothing in /usr/lib/postgresql/*/bin)"));
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "idle-pg-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            String osUser = null;
            if ("root".equals(System.getProperty("user.name"))) {
                osUser = userExists(SUPERUSER) ? SUPERUSER : "nobody";
            }
            PostgresCluster c = new PostgresCluster(bin, dir, secret(), secret(), osUser);
            Runtime.getRuntime().addShutdownHook(c.hook);
            try {
                c.init(options);
                return c;
            } catch (RuntimeException | Error e) {
                c.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a PostgreSQL cluster: " + e.getMessage(), e);
        }
    }

    /** initdb, then start on a free port (again on another one should that be taken meanwhile). */
    private void init(Options options) throws IOException {
        Path pwFile = dir.resolve("pw");
        Files.writeString(pwFile, superPassword + "\n");
        Files.createDirectories(dir.resolve("sock"));
        if (osUser != null) {
            run(List.of("chown", "-R", osUser + ":" + group(osUser), dir.toString()), dir);
        }
        owned(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", SUPERUSER,
                "--pwfile=" + pwFile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale",
                "--no-sync", "--no-instructions"));
        Files.delete(pwFile);
        String conf = "\n# idle test cluster\nlisten_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '" + dir.resolve("sock") + "'\n"
                + "max_connections = 60\nshared_buffers = 32MB\n"
                + (options.durable() ? "fsync = on\nsynchronous_commit = on\n"
                        : "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        Files.writeString(data().resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
        for (int attempt = 1; port == 0; attempt++) {
            int p = freePort();
            try {
                // -w: pg_ctl returns once the server accepts connections
                owned(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l",
                        dir.resolve("server.log").toString(), "-o", "-p " + p, "-w", "-t", "60",
                        "start"));
                port = p;
            } catch (IllegalStateException e) {
                if (attempt == 3) {
                    throw e;
                }
                // most likely another process took the port meanwhile: another one
            }
        }
        superSql("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + rolePassword + "'");
    }

    /** A new, empty database owned by {@link #ROLE}; its config carries the role's password. */
    public DatabaseConfig newDatabase(String hint) {
        String name = (hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_") + "_"
                + DATABASES.incrementAndGet());
        name = name.length() > 60 ? name.substring(name.length() - 60) : name;
        if (!Character.isLetter(name.charAt(0))) {
            name = "d" + name;
        }
        superSql("CREATE DATABASE " + name + " OWNER " + ROLE);
        return new DatabaseConfig(url(name), ROLE, rolePassword);
    }

    /** The JDBC URL of {@code database} on this cluster. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The role's password, for tests that write it to a password file. */
    public String rolePassword() {
        return rolePassword;
    }

    public int port() {
        return port;
    }

    /** Runs one statement as the superuser on the {@code postgres} database. */
    public void superSql(String sql) {
        try (Connection c = DriverManager.getConnection(url("postgres"), SUPERUSER, superPassword);
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL refused " + sql.replace(rolePassword, "***")
                    + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server (fast: open connections are cut) and starts it again on the same port. */
    public void restart() {
        owned(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l",
                dir.resolve("server.log").toString(), "-o", "-p " + port, "-m", "fast", "-w", "-t",
                "60", "restart"));
    }

    /**
     * CPU time (user + system) the PostgreSQL server used so far, in milliseconds: the postmaster,
     * the children it reaped (ended backends) and its live children, from /proc; -1 when unknown.
     */
    public long cpuMillis() {
        try {
            long pid = Long.parseLong(Files.readAllLines(data().resolve("postmaster.pid")).get(0).trim());
            long[] own = ticks(pid);
            long total = own[0] + own[1];
            for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.children().toList())
                    .orElse(List.of())) {
                long[] t = ticks(child.pid());
                total += t[0] - t[1]; // its own time only; its reaped children are not ours to count twice
            }
            return total * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {utime + stime + cutime + cstime, cutime + cstime} of a process, in clock ticks. */
    private static long[] ticks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]) + children, children};
    }

    /** Stops the server (fast shutdown) and deletes its directory. Calling it again does nothing. */
    @Override
    public void close() {
        stopAndDelete();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) anyway
        }
    }

    private synchronized void stopAndDelete() {
        if (closed) {
            return;
        }
        closed = true;
        if (Files.exists(data().resolve("postmaster.pid"))) {
            try {
                owned(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m",
                        "fast", "-w", "-t", "30", "stop"));
            } catch (RuntimeException e) {
                killPostmaster();
            }
        }
        deleteTree(dir);
    }

    /** The last resort when pg_ctl could not stop it: SIGKILL to the postmaster. */
    private void killPostmaster() {
        try {
            String first = Files.readAllLines(data().resolve("postmaster.pid")).get(0).trim();
            ProcessHandle.of(Long.parseLong(first)).ifPresent(ProcessHandle::destroyForcibly);
        } catch (IOException | RuntimeException e) {
            // nothing more to do
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    /** Runs a PostgreSQL program as the directory's owner; fails with its output and the log. */
    private void owned(List<String> command) {
        List<String> full = new ArrayList<>();
        if (osUser != null) {
            full.addAll(List.of("setpriv", "--reuid=" + osUser, "--regid=" + group(osUser),
                    "--clear-groups", "--"));
        }
        full.addAll(command);
        run(full, dir);
    }

    private static void run(List<String> command, Path cwd) {
        try {
            Path out = Files.createTempFile("idle-pg-cmd", ".out");
            try {
                // cwd: PostgreSQL's programs fail when they cannot read their working directory
                Process p = new ProcessBuilder(command).directory(cwd.toFile())
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out: " + String.join(" ", command));
                }
                if (p.exitValue() != 0) {
                    String log = "";
                    Path serverLog = cwd.resolve("server.log");
                    if (Files.isReadable(serverLog)) {
                        log = "\nserver log:\n" + Files.readString(serverLog);
                    }
                    throw new IllegalStateException(String.join(" ", command) + " exited with "
                            + p.exitValue() + ":\n" + Files.readString(out) + log);
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static boolean userExists(String name) {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream()
                    .anyMatch(l -> l.startsWith(name + ":"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String group(String user) {
        return SUPERUSER.equals(user) ? SUPERUSER : "nogroup";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover file in /tmp is not worth failing a test for
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}
