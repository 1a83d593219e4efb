package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import idle.shared.model.JobOutcome;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, hole 5: a root lender without {@code --work-dir} used the fixed
 * {@code $TMPDIR/idle-lender-work}, took it as it found it (made by another user, or a symbolic
 * link to somewhere else), and wrote its seccomp program and the jobs' inputs through it. Now
 * each lender makes a fresh private directory of its own, refuses a work directory someone else
 * owns or that is a symbolic link, and writes nothing through one.
 *
 * <p>{@code java.io.tmpdir} points at a directory of this test (under {@code target/}, which the
 * sandbox user can reach) while a test runs, so the planted directories are the ones the old
 * code would have used, and nothing outside the build is touched.
 */
@Timeout(120)
class FixedWorkDirHijackTest {
    static final int OTHER_UID = 4242;
    static final Set<PosixFilePermission> ALL = PosixFilePermissions.fromString("rwxrwxrwx");

    @TempDir
    Path data;
    Path tmp;
    String savedTmpdir;

    @BeforeAll
    static void needsBubblewrap() {
        SandboxTest.requireBubblewrap();
    }

    @BeforeEach
    void pointTmpdirHere() throws Exception {
        Files.createDirectories(SandboxTest.WORK_ROOT);
        tmp = Files.createTempDirectory(SandboxTest.WORK_ROOT, "tmpdir-");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        savedTmpdir = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
    }

    @AfterEach
    void restoreTmpdir() {
        System.setProperty("java.io.tmpdir", savedTmpdir);
        SandboxRun.deleteTree(tmp);
    }

    @Test
    void theOldFixedWorkDirMadeByAnotherUserIsNotUsed() throws Exception {
        assumeTrue(Sandbox.currentUid() == 0, "the hole is a root lender's; only root can plant "
                + "a directory owned by another uid");
        Path planted = Files.createDirectory(tmp.resolve("idle-lender-work"));
        Files.setPosixFilePermissions(planted, ALL);
        Files.setAttribute(planted, "unix:uid", OTHER_UID);
        Sandbox s = lendAndRunAJob(null);
        try (Stream<Path> inside = Files.list(planted)) {
            assertEquals(List.of(), inside.toList(), "the lender wrote into another user's directory");
        }
        assertEquals(ALL, Files.getPosixFilePermissions(planted), "the lender changed its mode");
        assertEquals(OTHER_UID, Files.getAttribute(planted, "unix:uid"));
        assertPrivateAndMine(s.workRoot());
    }

    @Test
    void aSymlinkAtTheOldFixedWorkDirIsNotWrittenThrough() throws Exception {
        Path victim = Files.createDirectory(tmp.resolve("victim"));
        Files.setPosixFilePermissions(victim, ALL);
        Files.createSymbolicLink(tmp.resolve("idle-lender-work"), victim);
        Sandbox s = lendAndRunAJob(null);
        try (Stream<Path> inside = Files.list(victim)) {
            assertEquals(List.of(), inside.toList(), "the lender wrote through the symbolic link");
        }
        assertEquals(ALL, Files.getPosixFilePermissions(victim));
        assertFalse(s.workRoot().toRealPath().startsWith(victim.toRealPath()));
        assertPrivateAndMine(s.workRoot());
    }

    @Test
    void aWorkDirOwnedByAnotherUserIsRefused() throws Exception {
        assumeTrue(Sandbox.currentUid() == 0, "only root can make a directory owned by another uid");
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, ALL);
        Files.setAttribute(theirs, "unix:uid", OTHER_UID);
        SandboxException e = assertThrows(SandboxException.class, () -> Sandbox.create(
                settings().withWorkRoot(theirs), PythonInterpreter.locate(null)));
        assertTrue(e.getMessage().contains("owned by"), e.getMessage());
        try (Stream<Path> inside = Files.list(theirs)) {
            assertEquals(List.of(), inside.toList());
        }
    }

    @Test
    void aWorkDirThatIsASymlinkIsRefused() throws Exception {
        Path victim = Files.createDirectory(tmp.resolve("victim"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), victim);
        SandboxException e = assertThrows(SandboxException.class, () -> Sandbox.create(
                settings().withWorkRoot(link), PythonInterpreter.locate(null)));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        try (Stream<Path> inside = Files.list(victim)) {
            assertEquals(List.of(), inside.toList());
        }
    }

    @Test
    void twoLendersSharingAWorkDirEachGetAFreshPrivateOne() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Sandbox a = lendAndRunAJob(shared);
        Sandbox b = lendAndRunAJob(shared);
        assertNotEquals(a.workRoot(), b.workRoot());
        for (Sandbox s : List.of(a, b)) {
            assertEquals(shared, s.workRoot().getParent());
            assertPrivateAndMine(s.workRoot());
            try (Stream<Path> inside = Files.list(s.workRoot())) {
                assertEquals(List.of(), inside.toList(), "nothing left in it, not even a seccomp file");
            }
        }
    }

    private LenderSettings settings() {
        return LenderSettings.defaults(data).withLimits(2, 256, 20, 4);
    }

    private Sandbox lendAndRunAJob(Path workRoot) throws Exception {
        Sandbox s = Sandbox.create(settings().withWorkRoot(workRoot), PythonInterpreter.locate(null));
        SandboxTest.Run r = SandboxTest.run(s, "open('out.txt', 'w').write('x')\nprint('ran')\n");
        assertInstanceOf(JobOutcome.Succeeded.class, r.result().outcome(), r.stderr());
        assertEquals("ran\n", r.stdout());
        return s;
    }

    /** Owned by this process's uid, a real directory, nobody else may write (or, but root's, list) it. */
    static void assertPrivateAndMine(Path dir) throws Exception {
        assertFalse(Files.isSymbolicLink(dir));
        assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS));
        assertEquals(Sandbox.currentUid(), Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir,
                LinkOption.NOFOLLOW_LINKS));
        // root's: the sandbox user (another uid) must pass through it to its job's directory
        assertEquals(Sandbox.currentUid() == 0 ? "rwx--x--x" : "rwx------", mode, dir.toString());
    }
}
