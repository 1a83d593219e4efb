package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The neutral copy of an environment, on real files: what is linked, rewritten and left out,
 * and that nothing in the copy names the original's path or the secrets.
 */
class EnvironmentMirrorTest {
    @TempDir
    Path tmp;

    private Path env() throws Exception {
        Path env = Files.createDirectories(tmp.resolve("home/alice/envs/sci"));
        String me = env.toString();
        Files.writeString(env.resolve("pyvenv.cfg"), "home = /usr/bin\ncommand = /usr/bin/python3 -m venv "
                + me + "\n");
        Path bin = Files.createDirectories(env.resolve("bin"));
        Files.writeString(bin.resolve("tool"), "#!" + me + "/bin/python\nprint('x')\n");
        Files.setPosixFilePermissions(bin.resolve("tool"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(bin.resolve("python"), Path.of("/usr/bin/python3"));
        Files.createSymbolicLink(bin.resolve("self"), Path.of(me + "/bin/tool"));
        Files.createSymbolicLink(bin.resolve("elsewhere"), Path.of(tmp + "/home/alice/secret"));
        Files.createSymbolicLink(env.resolve("lib64"), Path.of("lib"));
        Path pkg = Files.createDirectories(env.resolve("lib/site-packages/pkg"));
        Files.writeString(pkg.resolve("__init__.py"), "X = 1\n");
        Files.write(pkg.resolve("mod.pyc"), concat(new byte[] {0, 1, 2}, me.getBytes(StandardCharsets.UTF_8)));
        Files.write(pkg.resolve("clean.bin"), new byte[] {0, 1, 2, 3});
        Files.writeString(pkg.resolve("editable.pth"), tmp + "/home/alice/src/mine\n");
        // a path split across the 1 MiB read buffer is still found
        byte[] big = new byte[(1 << 20) + 100];
        java.util.Arrays.fill(big, (byte) 'a');
        byte[] p = me.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(p, 0, big, (1 << 20) - 5, p.length);
        Files.write(pkg.resolve("big.txt"), big);
        return env;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theCopyNamesNothingOfTheOriginal() throws Exception {
        Path env = env();
        String home = tmp.resolve("home/alice").toString();
        EnvironmentMirror m = EnvironmentMirror.make(env, List.of(env.toString()), List.of(home),
                tmp.resolve("copy"), "/idle/env/2");
        Path c = m.dir();
        assertEquals("home = /usr/bin\ncommand = /usr/bin/python3 -m venv /idle/env/2\n",
                Files.readString(c.resolve("pyvenv.cfg")));
        assertEquals("#!/idle/env/2/bin/python\nprint('x')\n", Files.readString(c.resolve("bin/tool")));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(c.resolve("bin/tool"))), "permissions kept");
        assertEquals(Path.of("/usr/bin/python3"), Files.readSymbolicLink(c.resolve("bin/python")));
        assertEquals(Path.of("/idle/env/2/bin/tool"), Files.readSymbolicLink(c.resolve("bin/self")));
        assertEquals(Path.of("lib"), Files.readSymbolicLink(c.resolve("lib64")));
        assertFalse(Files.exists(c.resolve("bin/elsewhere"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(c.resolve("lib/site-packages/pkg/mod.pyc")), "binary naming it");
        assertFalse(Files.exists(c.resolve("lib/site-packages/pkg/editable.pth")), "names the home");
        assertTrue(Files.readString(c.resolve("lib/site-packages/pkg/big.txt")).contains("/idle/env/2"));
        assertEquals(Files.getAttribute(env.resolve("lib/site-packages/pkg/__init__.py"), "unix:ino"),
                Files.getAttribute(c.resolve("lib/site-packages/pkg/__init__.py"), "unix:ino"),
                "an untouched file is a hard link, not a copy");
        assertTrue(Files.exists(c.resolve("lib/site-packages/pkg/clean.bin")));
        assertEquals(List.of("bin/elsewhere (a link naming a private path)",
                "lib/site-packages/pkg/editable.pth (names a private path)",
                "lib/site-packages/pkg/mod.pyc (names a private path)"),
                m.leftOut().stream().sorted().toList());

        List<String> leaks = new ArrayList<>();
        try (Stream<Path> all = Files.walk(c)) {
            for (Path f : all.toList()) {
                String text = Files.isSymbolicLink(f) ? Files.readSymbolicLink(f).toString()
                        : Files.isRegularFile(f) ? new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)
                        : "";
                if (text.contains("alice") || text.contains(tmp.toString())) {
                    leaks.add(c.relativize(f).toString());
                }
            }
        }
        assertEquals(List.of(), leaks);
        assertTrue(Files.readString(env.resolve("pyvenv.cfg")).contains(env.toString()),
                "the original is untouched");

        m.delete();
        assertFalse(Files.exists(c));
        assertTrue(Files.exists(env.resolve("lib/site-packages/pkg/__init__.py")),
                "removing the copy leaves the original");
    }

    @Test
    void aTargetThatExistsIsRefusedAndAFailedCopyLeavesNothing() throws Exception {
        Path env = env();
        Path taken = Files.createDirectories(tmp.resolve("taken"));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> EnvironmentMirror.make(
                env, List.of(), List.of(), taken, "/idle/env/1"));
        Path sock = env.resolve("unreadable");
        Files.writeString(sock, "x");
        Files.setPosixFilePermissions(env.resolve("lib"), PosixFilePermissions.fromString("---------"));
        try {
            if (Sandbox.currentUid() != 0) {
                EnvironmentMirror m = EnvironmentMirror.make(env, List.of(), List.of(),
                        tmp.resolve("partial"), "/idle/env/1");
                assertTrue(m.leftOut().stream().anyMatch(s -> s.startsWith("lib")), m.leftOut().toString());
            }
        } finally {
            Files.setPosixFilePermissions(env.resolve("lib"), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
