package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import idle.client.testing.SandboxRequirement;
import idle.shared.model.JobOutcome;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.StreamKind;
import idle.shared.protocol.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile scripts in the real bubblewrap sandbox with real python3: each must be contained, and
 * the next script must then run normally. Limits are small so the suite is quick.
 */
@Timeout(60)
class SandboxTest {
    /** Reachable by the unprivileged sandbox user (a @TempDir is private to the lender). */
    static final Path WORK_ROOT = Path.of("target", "sandbox-work").toAbsolutePath();
    private static PythonInterpreter python;

    @TempDir
    Path data;
    private Sandbox sandbox;

    @BeforeAll
    static void findPython() throws IOException {
        SandboxRequirement.requireBubblewrap();
        python = PythonInterpreter.locate(null);
    }

    /** The sandbox tests fail, never skip, where bubblewrap is missing: the lender needs it. */
    /** The one check (with its explicit opt-out), for the lender tests of this package. */
    static void requireBubblewrap() {
        SandboxRequirement.requireBubblewrap();
    }

    @BeforeEach
    void setUp() throws Exception {
        sandbox = sandbox(settings());
    }

    @AfterEach
    void nextJobRunsNormally() throws Exception {
        // After every hostile script, the same sandbox serves an ordinary job normally.
        Run r = run(sandbox, "print('still fine')\nopen('ok.txt','w').write('ok')\n");
        assertInstanceOf(JobOutcome.Succeeded.class, r.result.outcome(), r.stderr());
        assertEquals("still fine\n", r.stdout());
        assertEquals(List.of("ok.txt"), r.result.files().stream().map(OutputFileInfo::name).toList());
    }

    LenderSettings settings() {
        return LenderSettings.defaults(data).withLimits(2, 256, 10, 4).withProcessLimits(32, 64)
                .withWorkRoot(WORK_ROOT);
    }

    Sandbox sandbox(LenderSettings s) throws Exception {
        return Sandbox.create(s, python);
    }

    @Test
    void ordinaryScriptRunsWithItsInputsAndArgumentsAndItsWorkDirIsRemoved() throws Exception {
        String script = """
                import sys, os
                print('args', sys.argv[1:])
                print('input', open('data.txt').read())
                print('to stderr', file=sys.stderr)
                os.makedirs('sub', exist_ok=True)
                open('sub/result.bin','wb').write(bytes(range(256)))
                print('cwd', os.getcwd(), 'uid', os.getuid())
                """;
        byte[] input = "hello input".getBytes(StandardCharsets.UTF_8);
        RunSpec spec = new RunSpec("t1", "main.py", script.getBytes(StandardCharsets.UTF_8),
                List.of("a b", "c"), List.of(new idle.shared.model.InputFile("data.txt", input,
                        Sha256.hex(input))));
        Run r = run(sandbox, spec);
        assertInstanceOf(JobOutcome.Succeeded.class, r.result.outcome(), r.stderr());
        assertEquals("args ['a b', 'c']\ninput hello input\ncwd /work uid 65534\n", r.stdout());
        assertEquals("to stderr\n", r.stderr());
        assertEquals(1, r.result.files().size(), "only the file it wrote, not script or input");
        OutputFileInfo f = r.result.files().get(0);
        assertEquals("sub/result.bin", f.name());
        assertEquals(256, f.size());
        byte[] expected = new byte[256];
        for (int i = 0; i < 256; i++) {
            expected[i] = (byte) i;
        }
        assertEquals(Sha256.hex(expected), f.sha256());
        assertFalse(Files.exists(r.result.workDir()), "work dir removed");
        assertTrue(r.result.use().wallMillis() > 0);
        assertEquals(r.stdout().length(), r.result.use().stdoutBytes());
    }

    @Test
    void networkIsUnreachableEvenOnLoopback() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            int port = listening.getLocalPort();
            Run r = run(sandbox, """
                    import socket
                    for host, port in [('127.0.0.1', %d), ('1.1.1.1', 53), ('8.8.8.8', 443)]:
                        try:
                            socket.create_connection((host, port), timeout=2)
                            print('CONNECTED', host)
                        except OSError as e:
                            print('blocked', host)
                    try:
                        socket.getaddrinfo('example.com', 80)
                        print('DNS WORKS')
                    except OSError:
                        print('no dns')
                    print(socket.gethostname())
                    """.formatted(port));
            assertInstanceOf(JobOutcome.Succeeded.class, r.result.outcome(), r.stderr());
            assertEquals("blocked 127.0.0.1\nblocked 1.1.1.1\nblocked 8.8.8.8\nno dns\nidle-sandbox\n",
                    r.stdout());
            listening.setSoTimeout(1);
            try {
                listening.accept().close();
                throw new AssertionError("the sandbox reached a port on the host's loopback");
            } catch (SocketTimeoutException expected) {
                // nothing connected
            }
        }
    }

    @Test
    void lendersHomeProjectFilesAndSystemFilesAreInvisible() throws Exception {
        Path home = Path.of(System.getProperty("user.home"));
        Path project = Path.of("").toAbsolutePath();
        Path secret = data.resolve("secret.txt");
        Files.writeString(secret, "lender secret");
        Run r = run(sandbox, """
                import os, sys
                for p in sys.argv[1:]:
                    try:
                        if os.path.isdir(p):
                            print('LISTED', p, os.listdir(p)[:3])
                        else:
                            print('READ', p, open(p).read(20))
                    except OSError as e:
                        print('hidden', p)
                print('etc', sorted(os.listdir('/etc')) if os.path.isdir('/etc') else None)
                print(sorted(os.listdir('/')))
                """, home.toString(), "/root", "/home", project.toString(),
                project.resolve("pom.xml").toString(), secret.toString(), "/etc/passwd",
                "/etc/shadow", "/var");
        assertInstanceOf(JobOutcome.Succeeded.class, r.result.outcome(), r.stderr());
        assertFalse(r.stdout().contains("LISTED"), r.stdout());
        assertFalse(r.stdout().contains("READ"), r.stdout());
        assertFalse(r.stdout().contains("lender secret"), r.stdout());
        // Only the minimal tree: /usr and links into it, /dev, /proc, /tmp, /work, and of /etc
        // only Debian's alternatives (links into /usr), when the host has them.
        String top = r.stdout().lines().reduce((a, b) -> b).orElseThrow();
        for (String forbidden : List.of("'home'", "'root'", "'var'", "'opt'", "'srv'")) {
            assertFalse(top.contains(forbidden), top);
        }
        assertTrue(r.stdout().contains("etc ['alternatives']\n") || r.stdout().contains("etc None\n"),
                r.stdout());
        assertTrue(top.contains("'usr'") && top.contains("'work'"), top);
    }

    @Test
    void riskyKernelCallsAreRefusedWhileOrdinaryOnesWork() throws Exception {
        assumeTrue(SeccompFilter.forThisMachine().isPresent(), "a filter exists for x86_64 only");
        // each call with harmless arguments; without the filter most would fail with EINVAL,
        // EFAULT or ENOSYS, not EPERM (io_uring_setup(0, NULL) is EINVAL, keyctl(0...) ENOKEY)
        Run r = run(sandbox, """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                for name, nr in [('ptrace', 101), ('keyctl', 250), ('add_key', 248),
                                 ('perf_event_open', 298), ('process_vm_readv', 310),
                                 ('bpf', 321), ('userfaultfd', 323), ('io_uring_setup', 425),
                                 ('unshare', 272), ('mount', 165), ('fsopen', 430),
                                 ('x32 getpid', 0x40000000 + 39)]:
                    ctypes.set_errno(0)
                    rc = libc.syscall(nr, 0, 0, 0, 0, 0)
                    print(name, rc, ctypes.get_errno())
                print('getpid', libc.syscall(39) == os.getpid())
                """);
        assertInstanceOf(JobOutcome.Succeeded.class, r.result.outcome(), r.stderr());
        List<String> lines = r.stdout().lines().toList();
        for (String line : lines.subList(0, 12)) {
            assertTrue(line.endsWith(" -1 1"), "refused with EPERM: " + line);
        }
        assertEquals("getpid True", lines.get(12), r.stdout());
    }

    @Test
    void writesOutsideTheWorkDirFailOrStayPrivate() throws Exception {
        String marker = "idle-escape-" + System.nanoTime();
        Path hostTmp = Path.of("/tmp", marker);
        Path hostUsr = Path.of("/usr", marker);
        Path nextToWork = WORK_ROOT.resolve(marker);
        Run r = run(sandbox, """
                import os, sys
                for p in sys.argv[1:]:
                    try:
                        with open(p, 'w') as f:
                            f.write('x')
                        print('wrote', p)
                    except OSError as e:
                        print('denied', p)
                """, "/usr/" + marker, "/" + marker, "/tmp/" + marker, "/work/../" + marker,
                "/dev/" + marker, "/proc/" + marker);
        assertInstanceOf(JobOutcome.Succeeded.class, r.result.outcome(), r.stderr());
        for (String p : List.of("/usr/", "/", "/work/../", "/dev/", "/proc/")) {
            assertTrue(r.stdout().contains("denied " + p + marker + "\n"), r.stdout());
        }
        assertTrue(r.stdout().contains("wrote /tmp/" + marker), "a private, size-capped /tmp");
        assertFalse(Files.exists(hostTmp), "the sandbox /tmp is private");
        assertFalse(Files.exists(hostUsr));
        assertFalse(Files.exists(nextToWork));
        assertFalse(Files.exists(Path.of("/" + marker)));
    }

    @Test
    void forkBombIsContainedAndTheLenderCanStillStartProcesses() throws Exception {
        Sandbox s = sandbox(settings().withLimits(2, 256, 4, 4));
        CountDownLatch started = new CountDownLatch(1);
        SandboxRun run = s.start(RunSpec.of("bomb", "bomb.py", """
                import os, sys
                print('go', flush=True)
                while True:
                    try:
                        os.fork()
                    except OSError:
                        pass
                """), (stream, data) -> started.countDown());
        assertTrue(started.await(20, TimeUnit.SECONDS));
        // Poll (with a deadline) until the bomb has filled its process budget.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        long most = 0;
        while (System.nanoTime() < deadline && most < 25) {
            most = Math.max(most, ProcessHandle.of(run.pid()).map(h -> h.descendants().count())
                    .orElse(0L));
            if (run.await(20, TimeUnit.MILLISECONDS) != null) {
                break;
            }
        }
        // The lender (this JVM, and every process of this uid) can still start processes.
        Process p = new ProcessBuilder("/bin/true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        RunResult r = run.await(20, TimeUnit.SECONDS);
        assertNotNull(r);
        run.cleanup();
        // bwrap's own two processes + at most 32 of the script's.
        assertTrue(most <= 32 + 3, "process count " + most + " exceeded the limit");
        assertInstanceOf(JobOutcome.LimitExceeded.class, r.outcome());
        assertEquals(0, ProcessHandle.of(run.pid()).map(h -> h.descendants().count()).orElse(0L));
    }

    @Test
    void forkingPastTheLimitIsReportedAsTheProcessLimit() throws Exception {
        Run r = run(sandbox, """
                import os, time
                kids = []
                for i in range(100):
                    pid = os.fork()
                    if pid == 0:
                        time.sleep(30)
                        os._exit(0)
                    kids.append(pid)
                """);
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class,
                r.result.outcome(), r.stderr());
        assertEquals(Limit.PROCESSES, l.limit());
    }

    @Test
    void allocatingFourGibibytesHitsTheMemoryLimit() throws Exception {
        Run r = run(sandbox, "x = bytearray(4 * 1024**3)\nprint('ALLOCATED')\n");
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class,
                r.result.outcome(), r.stderr());
        assertEquals(Limit.MEMORY, l.limit());
        assertFalse(r.stdout().contains("ALLOCATED"));
    }

    @Test
    void endlessCpuLoopHitsTheCpuLimit() throws Exception {
        Sandbox s = sandbox(settings().withLimits(1, 256, 20, 4));
        Run r = run(s, "while True:\n    pass\n");
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class,
                r.result.outcome(), r.stderr());
        assertEquals(Limit.CPU_TIME, l.limit());
        assertTrue(r.result.use().cpuMillis() >= 500, "cpu " + r.result.use().cpuMillis());
    }

    @Test
    void endlessSleepHitsTheWallClockLimit() throws Exception {
        Sandbox s = sandbox(settings().withLimits(2, 256, 1, 4));
        Run r = run(s, "import time\nprint('sleeping', flush=True)\ntime.sleep(10**6)\n");
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class,
                r.result.outcome(), r.stderr());
        assertEquals(Limit.WALL_CLOCK, l.limit());
        assertEquals("sleeping\n", r.stdout(), "output before the kill is kept");
        assertTrue(r.result.use().wallMillis() < 10_000);
    }

    @Test
    void printingWithoutEndHitsTheOutputCap() throws Exception {
        Run r = run(sandbox, "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n");
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class,
                r.result.outcome(), r.stderr());
        assertEquals(Limit.OUTPUT, l.limit());
        assertTrue(r.out.size() <= 4 * 1024 * 1024, "delivered " + r.out.size());
    }

    @Test
    void aSlowReceiverBlocksTheScriptInsteadOfBuffering() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstChunk = new CountDownLatch(1);
        AtomicLong delivered = new AtomicLong();
        Sandbox s = sandbox(settings().withLimits(2, 256, 20, 64));
        SandboxRun run = s.start(RunSpec.of("slow", "flood.py", """
                import sys
                for i in range(512):
                    sys.stdout.write('y' * 65536)
                print('DONE', file=sys.stderr)
                """), (stream, data) -> {
                    if (stream == StreamKind.STDOUT) {
                        delivered.addAndGet(data.length);
                        firstChunk.countDown();
                        release.await(); // the receiver does not keep up
                    }
                });
        assertTrue(firstChunk.await(20, TimeUnit.SECONDS));
        // While the receiver is stuck the script cannot finish its 32 MiB: it blocks on its pipe.
        assertTrue(ProcessHandle.of(run.pid()).map(ProcessHandle::isAlive).orElse(false),
                "the script finished although nobody read its output");
        assertEquals(65536, delivered.get(), "only one chunk was taken from the pipe");
        release.countDown();
        RunResult r = run.await(30, TimeUnit.SECONDS);
        run.cleanup();
        assertInstanceOf(JobOutcome.Succeeded.class, r.outcome());
        assertEquals(512L * 65536, delivered.get());
    }

    @Test
    void fillingTheDiskIsStopped() throws Exception {
        Run r = run(sandbox, """
                i = 0
                while True:
                    with open('fill%d.bin' % i, 'wb') as f:
                        f.write(b'z' * (1024 * 1024))
                    i += 1
                """);
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class,
                r.result.outcome(), r.stderr());
        assertTrue(l.limit() == Limit.OUTPUT || l.limit() == Limit.FILE_SIZE, l.toString());
    }

    @Test
    void oneHugeFileHitsTheFileSizeLimit() throws Exception {
        Sandbox s = sandbox(settings().withLimits(2, 256, 10, 1));
        Run r = run(s, "open('big.bin','wb').write(b'z' * (3 * 1024 * 1024))\n");
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class,
                r.result.outcome(), r.stderr());
        assertTrue(l.limit() == Limit.FILE_SIZE || l.limit() == Limit.OUTPUT, l.toString());
    }

    @Test
    void killingItsParentAndEverythingElseOnlyEndsItself() throws Exception {
        Process canary = new ProcessBuilder("/bin/sleep", "60").start();
        try {
            Run r = run(sandbox, """
                    import os, signal
                    print('parent', os.getppid(), flush=True)
                    for pid in (os.getppid(), 1):
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except OSError as e:
                            print('cannot kill', pid)
                    try:
                        os.kill(-1, signal.SIGKILL)
                    except OSError:
                        pass
                    print('after')
                    """, Long.toString(canary.pid()));
            assertNotNull(r.result.outcome());
            assertTrue(canary.isAlive(), "a host process was killed from inside the sandbox");
        } finally {
            canary.destroyForcibly();
        }
    }

    @Test
    void theEnvironmentTellsNothingAboutTheLender() throws Exception {
        Run r = run(sandbox, """
                import os, sys
                print(sorted(os.environ))
                for p in ['/proc/self/environ', '/proc/1/environ', '/proc/1/cmdline']:
                    try:
                        print(p, open(p, 'rb').read().replace(b'\\0', b' ').decode())
                    except OSError:
                        print(p, 'unreadable')
                print([d for d in os.listdir('/proc') if d.isdigit()])
                """);
        assertInstanceOf(JobOutcome.Succeeded.class, r.result.outcome(), r.stderr());
        String first = r.stdout().lines().findFirst().orElseThrow();
        assertTrue(Set.of("['HOME', 'LANG', 'PATH', 'PWD']", "['HOME', 'LANG', 'LC_CTYPE', 'PATH', 'PWD']")
                .contains(first), first);
        String user = System.getProperty("user.name");
        String all = r.stdout();
        for (String leak : List.of("IDLE_PASSWORD", "USER=", "LOGNAME", "SSH_", "JAVA_HOME", "MAVEN",
                System.getProperty("user.home") + "/", "DISPLAY", "XDG_")) {
            assertFalse(all.contains(leak), "leaks " + leak + ": " + all);
        }
        if (!user.equals("root")) {
            assertFalse(all.contains(user), all);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    record Run(RunResult result, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String stderr() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    static Run run(Sandbox s, String script, String... args) throws Exception {
        return run(s, new RunSpec("test", "script.py", script.getBytes(StandardCharsets.UTF_8),
                List.of(args), List.of()));
    }

    static Run run(Sandbox s, RunSpec spec) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SandboxRun run = s.start(spec, (stream, data) -> {
            synchronized (out) {
                (stream == StreamKind.STDOUT ? out : err).write(data);
            }
        });
        RunResult r = run.await(40, TimeUnit.SECONDS);
        assertNotNull(r, "the run did not end");
        run.cleanup();
        return new Run(r, out, err);
    }
}
