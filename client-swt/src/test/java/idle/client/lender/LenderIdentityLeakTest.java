package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.InputFile;
import idle.shared.model.JobOutcome;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, hole 4: nothing about the lender reaches a job: not its login name, not its home,
 * not where on the host the job's directory is, in mounts, command lines, environments, the
 * working directory, nor in an error message (the agent sends a start failure's message back to
 * the runner). Tried as an unprivileged lender ({@link LenderUser}), for whom the old work
 * directory was under its home, and as the user running the tests.
 */
@Timeout(180)
class LenderIdentityLeakTest {
    /** Everything a job can learn about where it runs, one section per source. */
    static final String SNOOP = """
            import os
            def rd(p):
                try:
                    with open(p, 'rb') as f:
                        return f.read().replace(b'\\0', b' ').decode('utf-8', 'replace')
                except OSError as e:
                    return 'unreadable errno %d' % e.errno
            print('== mountinfo')
            print(rd('/proc/self/mountinfo'))
            print('== other')
            for d in sorted(os.listdir('/proc')):
                if d.isdigit() or d == 'self':
                    for f in ('cmdline', 'environ', 'cgroup'):
                        print('proc', d, f, rd('/proc/%s/%s' % (d, f)))
                    for f in ('cwd', 'root', 'exe'):
                        try:
                            print('proc', d, f, os.readlink('/proc/%s/%s' % (d, f)))
                        except OSError as e:
                            print('proc', d, f, 'unreadable errno', e.errno)
            print('getcwd', os.getcwd())
            print('fds', sorted(int(fd) for fd in os.listdir('/proc/self/fd')))
            print('environ', dict(os.environ))
            """;

    @TempDir
    Path data;

    @BeforeAll
    static void needsBubblewrap() {
        SandboxTest.requireBubblewrap();
    }

    @Test
    void aJobSeesNeitherTheLendersNameNorItsPathsAsNonRoot() throws Exception {
        LenderUser lender = LenderUser.get();
        Map<String, String> r = lender.probe(Map.of("dataDir", lender.dataDir().toString(),
                "script", SNOOP));
        assertTrue(r.get("outcome").startsWith("Succeeded"), r.toString());
        String all = r.get("stdout");
        assertTrue(all.contains("== other") && all.contains("proc 1 cmdline"), all);
        for (String secret : List.of(lender.login(), lender.home().toString(),
                lender.dataDir().toString())) {
            assertFalse(all.contains(secret), "the job sees " + secret + ":\n" + all);
        }
        assertNoHostWorkPathOutsideMounts(all, r.get("workDir"), r.get("workRoot"), r.get("tmpdir"));
    }

    @Test
    void aJobSeesNoHostPathOfTheLenderAsTheTestUser() throws Exception {
        Sandbox s = Sandbox.create(LenderSettings.defaults(data).withLimits(2, 256, 20, 4),
                PythonInterpreter.locate(null));
        SandboxTest.Run r = SandboxTest.run(s, SNOOP);
        assertInstanceOf(JobOutcome.Succeeded.class, r.result().outcome(), r.stderr());
        String all = r.stdout();
        assertFalse(all.contains(data.toString()), all);
        assertNoHostWorkPathOutsideMounts(all, r.result().workDir().toString(), s.workRoot().toString(),
                System.getProperty("java.io.tmpdir"));
    }

    /**
     * The host path of the job's directory may only show as the source of the {@code /work}
     * mount (the kernel shows a bind mount's source in mountinfo), and that path is a neutral
     * one: a random name in the system's temporary directory, nothing of the lender in it.
     */
    static void assertNoHostWorkPathOutsideMounts(String all, String workDir, String workRoot,
            String tmpdir) {
        String other = all.substring(all.indexOf("== other"));
        assertFalse(other.contains(workRoot), "the job sees the host work path " + workRoot + ":\n"
                + other);
        assertFalse(other.contains("PWD=/tmp") || other.contains("PWD=/home"), other);
        assertTrue(other.contains("getcwd /work\n"), other);
        // 0, 1, 2 and the one listing /proc/self/fd: no descriptor of the lender's (bubblewrap
        // closes the seccomp pipe and the work directory's descriptor, which leads out of /work)
        assertTrue(other.contains("fds [0, 1, 2, 3]\n"), other);
        assertTrue(workDir.startsWith(tmpdir + "/idle-"),
                "not a neutral path: " + workDir);
    }

    /**
     * Issue 14: a lender lends a virtual environment in its own home. The job runs in it (a copy
     * bound at /idle/env/1) and learns nothing of the home from mounts, processes, the
     * environment's files (pyvenv.cfg names the path it was made at, compiled files the path they
     * were compiled at) or their links.
     */
    @Test
    void aVirtualenvInTheLendersHomeShowsNothingOfIt() throws Exception {
        LenderUser lender = LenderUser.get();
        Path venv = lender.home().resolve("envs").resolve("idle-leak-test");
        lender.runAs(List.of("/bin/rm", "-rf", venv.toString()));
        lender.runAs(List.of("/bin/mkdir", "-p", venv.getParent().toString()));
        lender.runAs(List.of("/usr/bin/python3", "-m", "venv", "--without-pip", venv.toString()));
        Path pkg = venv.resolve("lib/python3.11/site-packages/leakpkg");
        lender.runAs(List.of("/bin/mkdir", "-p", pkg.toString()));
        lender.runAs(List.of("/bin/sh", "-c", "echo \"HOME_SEEN = '" + lender.home() + "'\" > " + pkg
                + "/secret_text.py && echo 'X = 1' > " + pkg + "/__init__.py"));
        lender.runAs(List.of(venv.resolve("bin/python").toString(), "-m", "compileall", "-q",
                pkg.toString()));
        String walk = """
                import os, sys
                import leakpkg
                print('prefix', sys.prefix)
                for root, dirs, files in os.walk(sys.prefix):
                    for name in dirs + files:
                        p = os.path.join(root, name)
                        if os.path.islink(p):
                            print('link', p, os.readlink(p))
                        elif os.path.isfile(p):
                            data = open(p, 'rb').read()
                            print('file', p, len(data), data[:4000].replace(b'\\0', b' ')
                                  .decode('latin-1'))
                """;
        Map<String, String> r;
        try {
            r = lender.probe(Map.of("dataDir", lender.dataDir().toString(),
                    "python", venv.resolve("bin/python").toString(), "script", walk + SNOOP));
        } finally {
            lender.runAs(List.of("/bin/rm", "-rf", venv.toString()));
        }
        assertTrue(r.get("outcome").startsWith("Succeeded"), r.toString());
        String all = r.get("stdout");
        assertTrue(all.contains("prefix /idle/env/1\n") && all.contains("file /idle/env/1/pyvenv.cfg"),
                all);
        assertFalse(all.contains("secret_text.py"), "a file naming the home is left out:\n" + all);
        assertTrue(all.contains("fds [0, 1, 2, 3]\n"),
                "no descriptor of the lender's (the copy's fd 5 is closed):\n" + all);
        assertFalse(all.substring(all.indexOf("== other")).contains(r.get("workRoot")),
                "the copy's host path is not on a command line:\n" + all);
        for (String secret : List.of(lender.login(), lender.home().toString(), venv.toString())) {
            assertFalse(all.contains(secret), "the job sees " + secret + ":\n" + all);
        }
        assertFalse(r.get("probeStderr").contains("Exception"), r.get("probeStderr"));
    }

    @Test
    void aFileNameTooLongForTheDiskIsRefusedWithoutTheLendersPath() throws Exception {
        LenderUser lender = LenderUser.get();
        String name = "é".repeat(200); // 200 characters, 400 bytes: over NAME_MAX
        Map<String, String> r = lender.probe(Map.of("dataDir", lender.dataDir().toString(),
                "script", "print('ran')\n", "input", name));
        String error = r.get("startError");
        assertNotNull(error, "the input was written after all: " + r);
        for (String secret : List.of(lender.login(), lender.home().toString(), r.get("workRoot"),
                "/tmp/")) {
            assertFalse(error.contains(secret), "the error shows " + secret + ": " + error);
        }
        assertTrue(error.contains("éééé") && error.contains("File name too long"), error);
    }

    @Test
    void aStartFailureNamesOnlyTheRelativeName() throws Exception {
        Sandbox s = Sandbox.create(LenderSettings.defaults(data).withLimits(2, 256, 20, 4)
                .withWorkRoot(SandboxTest.WORK_ROOT), PythonInterpreter.locate(null));
        byte[] in = "x".getBytes(StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> s.start(new RunSpec("t", "a.py",
                in, List.of(), List.of(new InputFile("ü".repeat(130), in, Sha256.hex(in)))),
                (stream, bytes) -> { }));
        assertFalse(e.getMessage().contains(SandboxTest.WORK_ROOT.toString()), e.getMessage());
        assertFalse(e.getMessage().contains(s.workRoot().toString()), e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot write the input file \"üüü"), e.getMessage());
    }
}
