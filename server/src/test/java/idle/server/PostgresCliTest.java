package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.DatabaseConfig;
import idle.db.testing.PostgresExtension;
import idle.server.ServerMainTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --db-url}, {@code --db-user} and {@code --db-password-file} on the command line, against
 * a real PostgreSQL: local admin works on it, refuses while a server uses the database (also from
 * another data directory), and the password file must be the owner's alone.
 */
class PostgresCliTest {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    private static String[] admin(Path dir, Path dbPassword, String... command) {
        DatabaseConfig db = PG.database();
        List<String> args = new ArrayList<>(List.of("admin", "--data", dir.toString(), "--db-url",
                db.jdbcUrl(), "--db-user", db.user(), "--db-password-file", dbPassword.toString()));
        args.addAll(List.of(command));
        return args.toArray(String[]::new);
    }

    private static Path ownerOnly(Path file, String content) throws Exception {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void localAdminWorksOnPostgresAndRefusesWhileAServerUsesTheDatabase() throws Exception {
        Path dir = TestDirs.fresh("pg-cli");
        Path dbPw = ownerOnly(dir.resolve("db.pass"), PG.database().password() + "\n");
        Path userPw = ownerOnly(dir.resolve("user.pass"), "Cli-Secret-1\n");
        Run add = ServerMainTest.run(admin(dir.resolve("a"), dbPw, "user", "add", "root", "--admin",
                "--password-file", userPw.toString()));
        assertEquals(0, add.code(), add.err());
        assertTrue(add.out().contains("user root added (admin)"), add.out());
        Run list = ServerMainTest.run(admin(dir.resolve("a"), dbPw, "user", "list"));
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("root"), list.out());
        // a server on another data directory: no data directory lock stops the admin, the
        // database does
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(dir.resolve("b")).withPort(0)
                .withLogToFile(false), PG.database())) {
            assertTrue(s.accounts().isEnabled("root"), "the server sees the user the admin added");
            Run busy = ServerMainTest.run(admin(dir.resolve("a"), dbPw, "user", "list"));
            assertEquals(1, busy.code());
            assertTrue(busy.err().contains("in use by another IDLE server"), busy.err());
        }
        for (Run r : List.of(add, list)) {
            assertFalse((r.out() + r.err()).contains(PG.database().password()));
        }
    }

    @Test
    void passwordFileOpenToOthersOrEmptyIsRefusedClearly() throws Exception {
        Path dir = TestDirs.fresh("pg-cli-pw");
        Path open = dir.resolve("open.pass");
        Files.writeString(open, PG.database().password() + "\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        Run r = ServerMainTest.run(admin(dir, open, "user", "list"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("open to other users") && r.err().contains("chmod 600"), r.err());
        assertFalse(r.err().contains(PG.database().password()), r.err());
        Run empty = ServerMainTest.run(admin(dir, ownerOnly(dir.resolve("empty.pass"), ""), "user",
                "list"));
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("is empty"), empty.err());
        // the server refuses the same file before it opens anything
        DatabaseConfig db = PG.database();
        Run server = ServerMainTest.run("server", "--data", dir.resolve("srv").toString(), "--port",
                "0", "--db-url", db.jdbcUrl(), "--db-user", db.user(), "--db-password-file",
                open.toString());
        assertEquals(1, server.code());
        assertTrue(server.err().contains("chmod 600"), server.err());
        // a link to an owner-only file is fine: what is read is what must be private
        Path link = Files.createSymbolicLink(dir.resolve("link.pass"),
                ownerOnly(dir.resolve("real.pass"), db.password() + "\n"));
        Run linked = ServerMainTest.run(admin(dir, link, "user", "list"));
        assertEquals(0, linked.code(), linked.err());
        Run missing = ServerMainTest.run(admin(dir, dir.resolve("nope.pass"), "user", "list"));
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.pass"), missing.err());
    }

    @Test
    void unreachableDatabaseFailsTheStartClearlyAndLeavesTheDataDirectoryFree() throws Exception {
        Path dir = TestDirs.fresh("pg-cli-down");
        Path pw = ownerOnly(dir.resolve("db.pass"), "whatever\n");
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String[] args = {"server", "--data", dir.resolve("srv").toString(), "--port", "0",
                "--db-url", "jdbc:postgresql://127.0.0.1:" + closedPort + "/idle", "--db-user", "idle",
                "--db-password-file", pw.toString()};
        Run down = ServerMainTest.run(args);
        assertEquals(1, down.code());
        assertTrue(down.err().contains("cannot open jdbc:postgresql://127.0.0.1:" + closedPort),
                down.err());
        // nothing held: the same data directory opens at once on the embedded database
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(dir.resolve("srv")).withPort(0)
                .withLogToFile(false))) {
            assertTrue(s.port() > 0);
        }
    }

    @Test
    void databaseOptionsThatDoNotFitAreUsageErrors() throws Exception {
        Path dir = TestDirs.fresh("pg-cli-usage");
        Run userAlone = ServerMainTest.run("admin", "--data", dir.toString(), "--db-user", "x",
                "user", "list");
        assertEquals(64, userAlone.code());
        assertTrue(userAlone.err().contains("go with --db-url"), userAlone.err());
        Run inUrl = ServerMainTest.run("admin", "--data", dir.toString(), "--db-url",
                "jdbc:postgresql://127.0.0.1:1/idle?password=secret", "user", "list");
        assertEquals(64, inUrl.code());
        assertTrue(inUrl.err().contains("--db-password-file"), inUrl.err());
        Run other = ServerMainTest.run("admin", "--data", dir.toString(), "--db-url",
                "jdbc:mysql://127.0.0.1/idle", "user", "list");
        assertEquals(64, other.code());
        assertTrue(other.err().contains("PostgreSQL"), other.err());
        Run server = ServerMainTest.run("server", "--data", dir.toString(), "--db-user", "x");
        assertEquals(64, server.code());
    }
}
