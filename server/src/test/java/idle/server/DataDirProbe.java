package idle.server;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Run in a child JVM under {@code umask 000} by {@link DataDirPermissionsTest}: starts and stops a
 * real server on a fresh data directory, then prints the permissions of a file the private-file
 * helper has just created (before anything is written to it) and of a file created with no
 * permissions given (which shows the umask really is permissive).
 */
public final class DataDirProbe {
    private DataDirProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(data).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false).withInsecurePlaintext())) {
            System.out.println("started " + s.port());
        }
        Path work = Files.createDirectories(Path.of(args[1]));
        try (FileChannel ch = idle.server.store.PrivateFilesAccess.openNew(work.resolve("new"))) {
            System.out.println("openNew " + PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(work.resolve("new"))));
        }
        Path plain = Files.createFile(work.resolve("plain"));
        System.out.println("plain " + PosixFilePermissions.toString(
                Files.getPosixFilePermissions(plain)));
    }
}
