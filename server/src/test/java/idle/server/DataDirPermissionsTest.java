package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, hole 13: the data directory and {@code server-secret} are owner-only from their first
 * moment whatever the umask. A child JVM runs a real server under {@code umask 000} (the most
 * permissive one), so a permission that came from the umask, or a chmod after creation, shows.
 */
class DataDirPermissionsTest {

    @Test
    void hole13DataDirAndServerSecretAreOwnerOnlyFromTheFirstMomentUnderUmask000()
            throws Exception {
        Path base = TestDirs.fresh("perms");
        try {
            Path data = base.resolve("fresh/server"); // the parents are new too
            Path work = base.resolve("work");
            List<String> lines = runUnderUmask000(data, work);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("started ")), lines.toString());
            assertTrue(lines.contains("plain rw-rw-rw-"),
                    "the child's umask is 000, so the check below means something: " + lines);
            assertTrue(lines.contains("openNew rw-------"),
                    "a private file is owner-only as soon as it exists, before its content: "
                            + lines);
            assertEquals("rwx------", perms(data), "the data directory");
            assertEquals("rwxr-xr-x", perms(data.getParent()), "a parent it created: passable, "
                    + "never writable by others");
            assertEquals("rw-------", perms(data.resolve("server-secret")));
            assertEquals(64, Files.readString(data.resolve("server-secret")).trim().length());
            assertTrue(Files.notExists(data.resolve("server-secret.tmp")));
        } finally {
            TestDirs.delete(base);
        }
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static List<String> runUnderUmask000(Path data, Path work) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("sh", "-c",
                "umask 000 && exec \"$0\" -cp \"$1\" idle.server.DataDirProbe \"$2\" \"$3\"",
                java, System.getProperty("java.class.path"), data.toString(), work.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes(); // ends when the child exits
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe ended");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text.lines().toList();
    }
}
