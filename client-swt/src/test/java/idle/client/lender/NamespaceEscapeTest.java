package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.JobOutcome;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, hole 7: bubblewrap older than 0.8 has no {@code --disable-userns} (the sandbox left
 * it out without a word), and the seccomp filter let {@code clone} and {@code clone3} make new
 * namespaces: a job could get a user namespace of its own, and with it capabilities there and the
 * kernel code behind them. Now the filter refuses {@code clone} with any {@code CLONE_NEW*} flag
 * ({@code EPERM}) and {@code clone3} altogether ({@code ENOSYS}, so the C library falls back to
 * {@code clone}), on every bubblewrap; an old one is tried by telling the sandbox this one lacks
 * the option.
 */
@Timeout(120)
class NamespaceEscapeTest {
    /** Every way to a new namespace, then the ordinary process and thread calls that must work. */
    static final String MAKE_NAMESPACES = """
            import ctypes, os, subprocess, threading
            libc = ctypes.CDLL(None, use_errno=True)
            NEWUSER, NEWNS, NEWPID, NEWNET = 0x10000000, 0x00020000, 0x20000000, 0x40000000
            SIGCHLD = 17
            def report(name, rc):
                err = ctypes.get_errno()
                if rc == 0:
                    os._exit(0)  # a child made by a raw clone: leave at once
                if rc > 0:
                    os.waitpid(rc, 0)
                print(name, 'made' if rc > 0 else 'refused', err if rc < 0 else '', flush=True)
            for name, flags in [('user', NEWUSER), ('mount', NEWNS), ('pid', NEWPID),
                                ('net', NEWNET), ('user+net', NEWUSER | NEWNET)]:
                ctypes.set_errno(0)
                rc = libc.unshare(flags)
                print('unshare', name, rc, ctypes.get_errno(), flush=True)
                ctypes.set_errno(0)
                report('clone ' + name, libc.syscall(56, flags | SIGCHLD, 0, 0, 0, 0))
                args = (ctypes.c_uint64 * 11)()
                args[0] = flags
                args[4] = SIGCHLD
                ctypes.set_errno(0)
                report('clone3 ' + name, libc.syscall(435, ctypes.byref(args), ctypes.sizeof(args)))
            pid = os.fork()
            if pid == 0:
                os._exit(7)
            print('fork', os.waitpid(pid, 0)[1] >> 8)
            t = threading.Thread(target=print, args=('thread',))
            t.start()
            t.join()
            print('subprocess', subprocess.run(['/usr/bin/true']).returncode)
            """;

    /** What the script must print: nothing made, EPERM for unshare and clone, ENOSYS for clone3. */
    static final String ALL_REFUSED;

    static {
        StringBuilder sb = new StringBuilder();
        for (String ns : List.of("user", "mount", "pid", "net", "user+net")) {
            sb.append("unshare ").append(ns).append(" -1 1\n");
            sb.append("clone ").append(ns).append(" refused 1\n");
            sb.append("clone3 ").append(ns).append(" refused 38\n");
        }
        ALL_REFUSED = sb.append("fork 7\nthread\nsubprocess 0\n").toString();
    }

    @TempDir
    Path data;

    @BeforeAll
    static void needsBubblewrap() {
        SandboxTest.requireBubblewrap();
    }

    @Test
    void noNamespacesEvenWithABubblewrapWithoutDisableUserns() throws Exception {
        Bubblewrap real = Bubblewrap.probe(Bubblewrap.find().orElseThrow());
        Bubblewrap old = new Bubblewrap(real.path(), "0.7.0", false, real.bindFd());
        assertAllRefused(Sandbox.createWith(settings(), PythonInterpreter.locate(null), old));
    }

    @Test
    void noNamespacesWithThisMachinesBubblewrap() throws Exception {
        assertAllRefused(Sandbox.create(settings(), PythonInterpreter.locate(null)));
    }

    @Test
    void theDecisionFollowsBubblewrapsVersionAndOptions() {
        Path p = Path.of("/usr/bin/bwrap");
        String help08 = "usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]\n    --ro-bind SRC DEST\n"
                + "    --disable-userns             Disable further use of user namespaces\n"
                + "    --bind-fd FD DEST            Bind open directory or path fd on DEST\n";
        String help04 = "usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]\n    --ro-bind SRC DEST\n";
        // no help text: the version decides
        assertEquals(new Bubblewrap(p, "0.4.0", false, false), Bubblewrap.of(p, "bubblewrap 0.4.0\n", ""));
        assertEquals(new Bubblewrap(p, "0.7.0", false, false), Bubblewrap.of(p, "bubblewrap 0.7.0", null));
        assertEquals(new Bubblewrap(p, "0.8.0", true, true), Bubblewrap.of(p, "bubblewrap 0.8.0", ""));
        assertEquals(new Bubblewrap(p, "0.11.0", true, true), Bubblewrap.of(p, "bubblewrap 0.11.0", ""));
        assertEquals(new Bubblewrap(p, "", false, false), Bubblewrap.of(p, "bwrap: unknown option", ""));
        // a help text decides over the version (a backport, or a build without the option)
        assertEquals(new Bubblewrap(p, "0.6.1", true, true), Bubblewrap.of(p, "bubblewrap 0.6.1", help08));
        assertEquals(new Bubblewrap(p, "0.9.0", false, false), Bubblewrap.of(p, "bubblewrap 0.9.0", help04));

        Bubblewrap old = Bubblewrap.of(p, "bubblewrap 0.4.0", help04);
        Bubblewrap modern = Bubblewrap.of(p, "bubblewrap 0.8.0", help08);
        assertEquals(NamespaceGuard.BUBBLEWRAP_AND_SECCOMP, NamespaceGuard.of(modern, true));
        assertEquals(NamespaceGuard.BUBBLEWRAP, NamespaceGuard.of(modern, false));
        assertEquals(NamespaceGuard.SECCOMP, NamespaceGuard.of(old, true));
        assertEquals(NamespaceGuard.NONE, NamespaceGuard.of(old, false));
    }

    @Test
    void withNeitherProtectionLendingIsRefusedUnlessAllowed() throws Exception {
        Bubblewrap old = Bubblewrap.of(Path.of("/usr/bin/bwrap"), "bubblewrap 0.4.0", "");
        SandboxException e = assertThrows(SandboxException.class,
                () -> NamespaceGuard.require(old, false, false));
        assertTrue(e.getMessage().contains("0.4.0") && e.getMessage().contains("--disable-userns")
                && e.getMessage().contains("--allow-user-namespaces"), e.getMessage());
        assertEquals(NamespaceGuard.NONE, NamespaceGuard.require(old, false, true));
        assertEquals(NamespaceGuard.SECCOMP, NamespaceGuard.require(old, true, false));
    }

    @Test
    void theSandboxSaysWhichProtectionIsActive() throws Exception {
        Bubblewrap real = Bubblewrap.probe(Bubblewrap.find().orElseThrow());
        Bubblewrap old = new Bubblewrap(real.path(), "0.7.0", false, real.bindFd());
        Sandbox s = Sandbox.createWith(settings(), PythonInterpreter.locate(null), old);
        assertEquals(NamespaceGuard.SECCOMP, s.namespaceGuard());
        assertEquals("bubblewrap 0.7.0, no new namespaces (seccomp; this bubblewrap has no "
                + "--disable-userns)", s.description());
        assertTrue(s.summary().contains(NamespaceGuard.SECCOMP.text()), s.summary().toString());
        Sandbox here = Sandbox.create(settings(), PythonInterpreter.locate(null));
        assertEquals(real.disableUserns() ? NamespaceGuard.BUBBLEWRAP_AND_SECCOMP
                : NamespaceGuard.SECCOMP, here.namespaceGuard());
        assertTrue(here.description().startsWith("bubblewrap " + real.version() + ", no new namespaces"),
                here.description());
    }

    private LenderSettings settings() {
        return LenderSettings.defaults(data).withLimits(2, 256, 20, 4)
                .withWorkRoot(SandboxTest.WORK_ROOT);
    }

    private static void assertAllRefused(Sandbox s) throws Exception {
        SandboxTest.Run r = SandboxTest.run(s, MAKE_NAMESPACES);
        assertInstanceOf(JobOutcome.Succeeded.class, r.result().outcome(), r.stdout() + r.stderr());
        assertEquals(ALL_REFUSED, r.stdout());
    }
}
