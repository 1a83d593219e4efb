package idle.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Creates the server's private directories and secret files owner-only from their first moment:
 * the permissions are given to the system call that creates them (so the process umask can only
 * remove bits), never set by a chmod afterwards, which would leave a window in which another
 * local user could open the file. On a file system without POSIX permissions the files are
 * created with its defaults. Stateless; thread-safe.
 */
public final class PrivateFiles {
    /** {@code rwx------}: the data directory. */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions
            .fromString("rwx------");
    /** {@code rw-------}: secret files. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions
            .fromString("rw-------");

    private PrivateFiles() {
    }

    /**
     * Creates {@code dir} as {@code rwx------}. Its missing parents are made {@code rwxr-xr-x}
     * (less where the umask says so): never writable by others, whatever the umask, so nobody can
     * move the data directory away and plant another, but passable, because a parent may be a
     * shared path (a test's folder, {@code ~/.idle}) that other users, such as a lender's sandbox
     * user, must pass through. An existing directory is left as it is (its owner chose).
     */
    public static Path createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            try {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-xr-x")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(parent);
            }
        }
        try {
            return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
        } catch (UnsupportedOperationException e) {
            return Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) {
                return dir; // made by someone else meanwhile: theirs to set
            }
            throw e;
        }
    }

    /**
     * Writes {@code content} to {@code file} as a new {@code rw-------} file: written and synced
     * under a temporary name created with those permissions, then renamed over {@code file}
     * atomically, so a reader sees either no file or the whole of it.
     */
    public static void writeNew(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp); // left by a crash; we create ours exclusively below
        try (FileChannel ch = openNew(tmp)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Creates {@code file}, which must not exist, as {@code rw-------} and opens it for writing.
     * @throws FileAlreadyExistsException when it exists (it may be someone else's)
     */
    static FileChannel openNew(Path file) throws IOException {
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        FileAttribute<Set<PosixFilePermission>> owner = PosixFilePermissions.asFileAttribute(FILE);
        try {
            return FileChannel.open(file, options, owner);
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(file, options);
        }
    }
}
