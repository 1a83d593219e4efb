package idle.server.store;

import idle.db.DatabaseConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The database a server (or a local admin command) opens: embedded Derby in the data directory by
 * default, or an external database given by JDBC URL, user and a password file. The password is
 * read from the file only (never a command-line argument, which every user of the machine can
 * see in the process list), and the file must be readable by its owner alone.
 */
public final class DatabaseOptions {
    private static final Set<PosixFilePermission> NOT_FOR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private DatabaseOptions() {
    }

    /**
     * The database to open.
     *
     * @param dataDir the data directory (its {@code db} subdirectory holds the embedded database)
     * @param url a JDBC URL ({@code jdbc:postgresql://...} or {@code jdbc:derby:...}), or null
     *     for the embedded default
     * @param user the database user, or null (only with a URL)
     * @param passwordFile file whose first line is the password, or null (only with a URL)
     * @throws IllegalArgumentException when the options do not fit together or the URL is not
     *     one IDLE supports
     * @throws IOException when the password file cannot be read or others may read it
     */
    public static DatabaseConfig resolve(Path dataDir, String url, String user, Path passwordFile)
            throws IOException {
        if (url == null) {
            if (user != null || passwordFile != null) {
                throw new IllegalArgumentException("--db-user and --db-password-file go with --db-url");
            }
            return DatabaseConfig.embedded(dataDir.resolve("db"));
        }
        if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:derby:")) {
            throw new IllegalArgumentException("--db-url must be a PostgreSQL (jdbc:postgresql://"
                    + "HOST:PORT/DATABASE) or Derby (jdbc:derby:...) JDBC URL");
        }
        if (url.contains("password=")) {
            throw new IllegalArgumentException("--db-url must not hold the password (anyone on"
                    + " this machine can read command lines): use --db-password-file");
        }
        String password = passwordFile == null ? null : readPassword(passwordFile);
        return new DatabaseConfig(url, user, password);
    }

    /** The first line of {@code file}, refused when anyone but its owner may read or change it. */
    static String readPassword(Path file) throws IOException {
        PosixFileAttributes attrs;
        try {
            // links followed: the file read is what must be private (secrets are often mounted
            // as links to the real file)
            attrs = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (IOException e) {
            throw new IOException("cannot read the database password file " + file + ": "
                    + e.getMessage(), e);
        }
        if (!attrs.isRegularFile()) {
            throw new IOException("the database password file " + file + " is not a regular file");
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(NOT_FOR_OTHERS);
        open.retainAll(attrs.permissions());
        if (!open.isEmpty()) {
            throw new IOException("the database password file " + file + " is open to other users ("
                    + open + "): make it readable by its owner only, 'chmod 600 " + file + "'");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String password = lines.isEmpty() ? "" : lines.get(0);
        if (password.isEmpty()) {
            throw new IOException("the database password file " + file + " is empty");
        }
        return password;
    }
}
