package idle.client.lender;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * One lender's private directory, in which each job gets a working directory of its own.
 *
 * <p>Made fresh (a new random name, {@code mkdir} fails rather than reuse anything) inside a base
 * directory: the one given with {@code --work-dir}, else the system's temporary directory
 * ({@code java.io.tmpdir}). Nothing about the lender is in its path ({@code /tmp/idle-k3J9…}):
 * a job sees the path of its directory as the source of its {@code /work} mount, so it must not
 * be under the lender's home. The base is refused when it is a symbolic link, belongs to someone
 * but this user or root, or others may write in it without the sticky bit (they could swap our
 * directory for a link). The directory has mode 0700, or 0711 for a root lender with the sandbox
 * (its sandbox user, another uid, must pass through it to its job's directory); the JVM removes
 * it at exit when it is empty.
 *
 * <p>Immutable and thread-safe.
 */
final class WorkRoot {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PASS_THROUGH = PosixFilePermissions.fromString("rwx--x--x");

    private final Path dir;

    private WorkRoot(Path dir) {
        this.dir = dir;
    }

    /**
     * Makes this lender's private directory.
     *
     * @param base the {@code --work-dir}, made if missing; null for the system's temporary directory
     * @param sandboxUserEnters true when another uid (the root lender's sandbox user) must reach
     *     job directories inside it
     * @throws SandboxException when the base is not safe to use, saying why
     */
    static WorkRoot create(Path base, boolean sandboxUserEnters) throws SandboxException, IOException {
        Path real;
        if (base == null) {
            // The system's own directory: a link there (e.g. /tmp -> /private/tmp) is the system's.
            real = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
        } else {
            Path abs = base.toAbsolutePath().normalize();
            if (Files.isSymbolicLink(abs)) {
                throw new SandboxException("the work directory " + abs + " is a symbolic link; give "
                        + "the directory itself (" + abs.toRealPath() + ")");
            }
            Files.createDirectories(abs);
            real = abs.toRealPath();
        }
        checkBase(real);
        Path dir = Files.createTempDirectory(real, "idle-", PosixFilePermissions.asFileAttribute(PRIVATE));
        dir.toFile().deleteOnExit();
        if (sandboxUserEnters) {
            Files.setPosixFilePermissions(dir, PASS_THROUGH);
            for (Path p = dir.getParent(); p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    Files.delete(dir);
                    throw new SandboxException("the sandbox user (uid " + Sandbox.SANDBOX_UID
                            + ") cannot reach the work directory " + real + " because " + p
                            + " is not searchable by others; choose another work directory");
                }
            }
        }
        return new WorkRoot(dir);
    }

    private static void checkBase(Path base) throws SandboxException, IOException {
        PosixFileAttributes a = Files.readAttributes(base, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) {
            throw new SandboxException("the work directory " + base + " is not a directory");
        }
        int owner = (Integer) Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = Sandbox.currentUid();
        if (owner != me && owner != 0) {
            throw new SandboxException("the work directory " + base + " is owned by uid " + owner
                    + ", not by you (uid " + me + "); choose a directory of your own");
        }
        int mode = (Integer) Files.getAttribute(base, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        boolean othersWrite = (mode & 0022) != 0;
        boolean sticky = (mode & 01000) != 0;
        if (othersWrite && !sticky) {
            throw new SandboxException("others may write in the work directory " + base
                    + " (mode " + Integer.toOctalString(mode & 07777) + ", no sticky bit); "
                    + "choose a directory only you can write in");
        }
    }

    /** The private directory itself. */
    Path path() {
        return dir;
    }

    /** A new, empty job directory (mode 0700) named after {@code label} and a random part. */
    Path newJobDir(String label) throws IOException {
        return Files.createTempDirectory(dir, label + "-", PosixFilePermissions.asFileAttribute(PRIVATE));
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
