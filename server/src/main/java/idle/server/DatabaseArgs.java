package idle.server;

import idle.db.DatabaseConfig;
import idle.server.store.DatabaseOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The database options shared by {@code server} and local {@code admin}: an external database
 * ({@code --db-url}, {@code --db-user}, {@code --db-password-file}) instead of embedded Derby in
 * the data directory. A picocli mixin; see {@link DatabaseOptions} for the checks.
 */
final class DatabaseArgs {
    @Option(names = "--db-url", paramLabel = "JDBC_URL",
            description = "an external database instead of the embedded one in the data "
                    + "directory, e.g. jdbc:postgresql://HOST:5432/idle")
    String url;

    @Option(names = "--db-user", paramLabel = "NAME", description = "database user (with --db-url)")
    String user;

    @Option(names = "--db-password-file", paramLabel = "FILE",
            description = "file whose first line is the database password (with --db-url); it "
                    + "must be readable by its owner only")
    Path passwordFile;

    boolean given() {
        return url != null || user != null || passwordFile != null;
    }

    /**
     * The database to open for data directory {@code dir}.
     *
     * @throws CommandLine.ParameterException when the options do not fit together (usage error)
     * @throws UncheckedIOException when the password file is unreadable or open to others
     */
    DatabaseConfig resolve(CommandLine.Model.CommandSpec spec, Path dir) {
        try {
            return DatabaseOptions.resolve(dir, url, user, passwordFile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
