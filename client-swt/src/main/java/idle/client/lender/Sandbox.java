package idle.client.lender;

import idle.shared.model.PythonEnvironment;
import idle.shared.protocol.FileNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs strangers' python3 scripts so they cannot harm the lender's machine.
 *
 * <p>With bubblewrap (the normal mode) each script gets: no network and fresh IPC, UTS, cgroup
 * and PID namespaces ({@code --unshare-all}); a user namespace in which it is uid/gid 65534 with
 * no capabilities and no way to make new namespaces ({@link NamespaceGuard}: bubblewrap's
 * {@code --disable-userns} where it has it, and the seccomp filter; with neither, lending is
 * refused unless allowed); a read-only view of {@code /usr} (and the
 * {@code /lib*}, {@code /bin} links into it) and of {@code /etc/alternatives} (Debian's links
 * choosing among installed libraries, through which e.g. numpy finds its BLAS: links into
 * {@code /usr}, nothing of the lender), and nothing else of the host: no other {@code /etc}, no
 * home, no project files; a fresh read-only {@code /dev} and {@code /proc}; a read-only root; a
 * 16 MiB tmpfs {@code /tmp}; its
 * own working directory {@code /work} holding only the script and its inputs; an empty
 * environment but {@code PATH}, {@code HOME=/work} and {@code LANG}; a new session (no terminal
 * injection); death with the lender; a seccomp filter that refuses the system calls that widen
 * the kernel's attack surface ({@link SeccompFilter}; x86_64). Inside, {@code prlimit} sets CPU time, address space, file
 * size, open files, core size 0 and the process count. The process count is set <em>inside</em>
 * the new user namespace, where the kernel counts processes per namespace: so it limits this
 * sandbox alone, not every process of the lender's uid. When the lender runs as root (for whom
 * the kernel ignores RLIMIT_NPROC) the sandbox is first dropped to an unprivileged host uid.
 * The wall-clock timeout, the output cap and the working directory's size are enforced by
 * {@link SandboxRun}'s watchdog.
 *
 * <p>Nothing of the lender reaches a job: job directories live in a fresh private directory with
 * a random name in the system's temporary directory ({@link WorkRoot}), never under the lender's
 * home; bubblewrap starts in {@code /} with an empty environment, gets the job's directory as an
 * open file descriptor ({@code --bind-fd}) and the seccomp program through a pipe, so its own
 * command line (which a job reads as {@code /proc/1/cmdline}) holds no host path; and the errors
 * of {@link #start} name files by the job's names only.
 *
 * <p>A lender may lend several python environments ({@link LenderEnvironment}); a job runs in
 * the one its {@link RunSpec} names. An environment outside /usr is never shown where it is: a
 * neutral copy ({@link EnvironmentMirror}, hard links where possible) is bound read-only at
 * {@code /idle/env/N}, from an open file descriptor like the job's directory; nothing else of
 * the lender's home becomes visible. What each environment offers is found by running a probe
 * in this sandbox ({@link #probeInventory}).
 *
 * <p>Without bubblewrap ({@code --unsafe-no-sandbox}) only the resource limits, an empty
 * environment and a private working directory apply: the script can read the lender's files and
 * use the network.
 *
 * <p>Thread-safe; {@link #start} may run several scripts at once. {@link #close} removes the
 * environments' copies (so does the end of the JVM).
 */
public final class Sandbox implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Sandbox.class.getName());
    /** The uid/gid scripts have inside the sandbox (nobody). */
    public static final int SANDBOX_UID = 65534;
    /** Size of the sandbox's private /tmp. */
    static final long TMP_BYTES = 16L * 1024 * 1024;
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path SH = Path.of("/bin/sh");
    /** Debian's alternatives: links into /usr that some libraries are found through. */
    private static final Path ALTERNATIVES = Path.of("/etc/alternatives");
    /** Where bubblewrap is started: a neutral directory, not the lender's. */
    private static final java.io.File NEUTRAL_CWD = new java.io.File("/");

    private final LenderSettings settings;
    /** The environments lent: at least one; the first is the default one. */
    private final LentEnvironments environments;
    /** Null without the sandbox ({@code --unsafe-no-sandbox}). */
    private final Bubblewrap bwrap;
    private final boolean root;
    private final int hostUid;
    private final WorkRoot workRoot;
    /** The seccomp program, or null (no bubblewrap, or no filter for this machine). */
    private final byte[] seccomp;
    /** What stops jobs from making namespaces; null without the sandbox. */
    private final NamespaceGuard guard;

    private Sandbox(LenderSettings settings, LentEnvironments environments, Bubblewrap bwrap,
            WorkRoot workRoot, byte[] seccomp, NamespaceGuard guard) {
        this.settings = settings;
        this.environments = environments;
        this.bwrap = bwrap;
        this.root = currentUid() == 0;
        this.hostUid = root ? SANDBOX_UID : currentUid();
        this.workRoot = workRoot;
        this.seccomp = seccomp;
        this.guard = guard;
    }

    /**
     * Prepares a sandbox for {@code settings}.
     *
     * @throws SandboxException when bubblewrap is missing and the unsafe mode was not chosen (the
     *     message says how to install it), when a helper it needs is missing, or when the work
     *     directory is not safe to use
     */
    public static Sandbox create(LenderSettings settings, PythonInterpreter python)
            throws SandboxException, IOException {
        return create(settings, List.of(python));
    }

    /**
     * Prepares a sandbox lending {@code pythons}, in order (at least one); environments outside
     * /usr are copied into the work directory (see {@link EnvironmentMirror}).
     *
     * @throws SandboxException as {@link #create(LenderSettings, PythonInterpreter)}
     * @throws IOException also when an environment cannot be copied
     */
    public static Sandbox create(LenderSettings settings, List<PythonInterpreter> pythons)
            throws SandboxException, IOException {
        return createWith(settings, pythons, findBubblewrap().map(Bubblewrap::probe).orElse(null));
    }

    /** {@link #create(LenderSettings, PythonInterpreter)} with bubblewrap at {@code bwrap}, if any. */
    static Sandbox create(LenderSettings settings, PythonInterpreter python, Optional<Path> bwrap)
            throws SandboxException, IOException {
        return createWith(settings, python, bwrap.map(Bubblewrap::probe).orElse(null));
    }

    /** {@link #create(LenderSettings, PythonInterpreter)} with this bubblewrap (null: none). */
    static Sandbox createWith(LenderSettings settings, PythonInterpreter python, Bubblewrap bwrap)
            throws SandboxException, IOException {
        return createWith(settings, List.of(python), bwrap);
    }

    /** {@link #create(LenderSettings, List)} with this bubblewrap (null: none). */
    static Sandbox createWith(LenderSettings settings, List<PythonInterpreter> pythons,
            Bubblewrap bwrap) throws SandboxException, IOException {
        Objects.requireNonNull(settings);
        Bubblewrap bw = null;
        if (!settings.unsafeNoSandbox()) {
            if (bwrap == null) {
                throw new SandboxException(
                    "bubblewrap (bwrap) is not installed, and IDLE runs strangers' scripts only "
                            + "inside it. Install it with:  sudo apt-get install bubblewrap\n"
                            + "(or lend without protection with --unsafe-no-sandbox: not recommended)");
            }
            bw = bwrap;
            if (!Files.isExecutable(PRLIMIT)) {
                throw new SandboxException(PRLIMIT + " (util-linux) is missing; install util-linux");
            }
            if (currentUid() == 0 && !Files.isExecutable(SETPRIV)) {
                throw new SandboxException("running as root needs " + SETPRIV
                        + " (util-linux) to drop the sandbox to an unprivileged user");
            }
        }
        byte[] seccomp = null;
        Optional<SeccompFilter> filter = SeccompFilter.forThisMachine();
        if (bw != null && filter.isPresent() && Files.isExecutable(SH)) {
            seccomp = filter.get().program();
        } else if (bw != null) {
            LOG.warning("no seccomp filter for " + System.getProperty("os.arch")
                    + ": the sandbox relies on namespaces, capabilities and limits alone");
        }
        NamespaceGuard guard = bw == null ? null
                : NamespaceGuard.require(bw, seccomp != null, settings.allowUserNamespaces());
        if (guard == NamespaceGuard.NONE) {
            LOG.warning("jobs can make user namespaces here (allowed with --allow-user-namespaces)");
        }
        WorkRoot root = WorkRoot.create(settings.workRoot(), currentUid() == 0 && bw != null);
        return new Sandbox(settings, LentEnvironments.make(pythons, bw != null, root), bw, root,
                seccomp, guard);
    }

    /** Removes the copies of the environments; no job may start afterwards. Idempotent. */
    @Override
    public void close() {
        environments.close();
    }

    /**
     * A fingerprint of the directories the environments' packages are in (see
     * {@link LentEnvironments#fingerprint}): when it changes, what they offer may have changed.
     */
    public List<String> packageFingerprint() {
        return environments.fingerprint();
    }

    /** Makes the copies of the environments outside /usr again (see {@link LentEnvironments}). */
    public void refreshCopies() throws IOException {
        environments.refreshCopies();
    }

    /** Where bubblewrap is installed, if it is. */
    public static Optional<Path> findBubblewrap() {
        return Bubblewrap.find();
    }

    public boolean isSafe() {
        return bwrap != null;
    }

    public LenderSettings settings() {
        return settings;
    }

    /** The interpreter of the default environment. */
    public PythonInterpreter python() {
        return environments.all().get(0).python();
    }

    /** The environments lent, in order (their indices are those of the offer). */
    public List<LenderEnvironment> environments() {
        return environments.all();
    }

    /**
     * This lender's private directory, made fresh by {@link #create}, in which each job gets a
     * working directory of its own (see {@link WorkRoot}).
     */
    public Path workRoot() {
        return workRoot.path();
    }

    /**
     * A short description for the server and the user: "none (unsafe)", or bubblewrap, its version
     * and what stops new namespaces, e.g. "bubblewrap 0.8.0, no new namespaces (--disable-userns +
     * seccomp)".
     */
    public String description() {
        if (!isSafe()) {
            return "none (unsafe)";
        }
        return "bubblewrap" + (bwrap.version().isEmpty() ? "" : " " + bwrap.version()) + ", "
                + guard.text();
    }

    /** What stops jobs from making namespaces of their own; null without the sandbox. */
    public NamespaceGuard namespaceGuard() {
        return guard;
    }

    /** What the sandbox allows and forbids, for people (the lender panel shows it). */
    public List<String> summary() {
        List<String> s = new ArrayList<>();
        LenderSettings l = settings;
        if (isSafe()) {
            s.add("no network; no access to your files (only /usr, read-only)");
            s.add("a private working directory, removed afterwards; uid 65534, no capabilities");
            s.add(seccomp != null ? "risky kernel calls refused (seccomp: io_uring, bpf, ptrace, "
                    + "keyring, mounts, modules)" : "no seccomp filter on this architecture");
            s.add(guard.text());
        } else {
            s.add("UNSAFE: scripts can read your files and use the network");
        }
        s.add("CPU " + l.cpuSeconds() + " s, memory " + l.memoryMb() + " MiB, timeout "
                + l.timeoutSeconds() + " s, output " + l.maxOutputMb() + " MiB");
        s.add((isSafe() ? l.maxProcesses() + " processes, " : "") + l.maxOpenFiles() + " open files");
        return s;
    }

    /**
     * Makes a working directory holding the script and its inputs, starts the script and returns
     * the running handle. Output goes to {@code sink} as it is produced.
     *
     * @throws IOException when the job cannot start; the message names files only by the names
     *     the job gave them, never a path of the lender (the agent sends it to the runner)
     */
    public SandboxRun start(RunSpec spec, OutputSink sink) throws IOException {
        Path work;
        try {
            work = workRoot.newJobDir(safeLabel(spec.label()));
        } catch (IOException e) {
            throw new IOException("cannot make the job's working directory: " + reason(e), e);
        }
        try {
            long initial = write(work, spec.scriptName(), spec.script(), "script");
            for (var in : spec.inputs()) {
                initial += write(work, in.name(), in.data(), "input file");
            }
            if (root && isSafe()) {
                chownTree(work, hostUid);
            }
            List<String> cmd = command(work, spec);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/bin:/bin");
            pb.environment().put("LANG", "C.UTF-8");
            if (isSafe()) {
                // bubblewrap's own process (pid 1 in the sandbox, whose command line, environment
                // and working directory a job can read) starts in "/", not in the lender's places.
                pb.directory(NEUTRAL_CWD);
            } else {
                pb.environment().put("HOME", work.toString());
                pb.environment().put("TMPDIR", work.toString());
                pb.environment().putAll(spec.taskVariables());
                pb.directory(work.toFile());
            }
            if (seccomp == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IOException("cannot start " + (isSafe() ? "the sandbox" : "python"), e);
            }
            if (seccomp != null) {
                // The seccomp program reaches bubblewrap through a pipe (its fd 3), never a file.
                try (var stdin = p.getOutputStream()) {
                    stdin.write(seccomp);
                } catch (IOException e) {
                    p.destroyForcibly();
                    throw new IOException("cannot hand the seccomp filter to the sandbox", e);
                }
            }
            return new SandboxRun(this, spec, work, initial, p, sink);
        } catch (IOException | RuntimeException e) {
            SandboxRun.deleteTree(work);
            throw e;
        }
    }

    /** Writes one of the job's files; returns its size. */
    private static long write(Path work, String name, byte[] data, String what) throws IOException {
        try {
            Files.write(work.resolve(name), data, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            return data.length;
        } catch (IOException e) {
            throw new IOException("cannot write the " + what + " " + FileNames.printable(name) + ": "
                    + reason(e), e);
        } catch (InvalidPathException e) {
            throw new IOException("cannot write the " + what + " " + FileNames.printable(name)
                    + ": not a file name on this machine", e);
        }
    }

    /** Why an I/O operation failed, without the path it failed on. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            if (f.getReason() != null) {
                return f.getReason();
            }
            return switch (f) {
                case java.nio.file.FileAlreadyExistsException x -> "it already exists";
                case java.nio.file.NoSuchFileException x -> "no such file or directory";
                case java.nio.file.AccessDeniedException x -> "permission denied";
                default -> f.getClass().getSimpleName();
            };
        }
        return e.getClass().getSimpleName();
    }

    /**
     * Runs a tiny script in the sandbox and checks its output: proves bubblewrap works here
     * (user namespaces allowed, paths reachable) before any job is accepted.
     */
    public void selfTest() throws SandboxException {
        StringBuilder out = new StringBuilder();
        RunResult r;
        try {
            SandboxRun run = start(RunSpec.of("selftest", "selftest.py",
                    "import os, sys\nprint('ok', os.getuid(), sys.version_info[0])\n"),
                    (stream, data) -> out.append(new String(data, StandardCharsets.UTF_8)));
            try {
                r = run.await(30, TimeUnit.SECONDS);
            } finally {
                run.cleanup();
            }
        } catch (IOException e) {
            throw new SandboxException("the sandbox cannot start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while testing the sandbox");
        }
        String expect = isSafe() ? "ok " + SANDBOX_UID + " 3" : "ok ";
        if (!(r.outcome() instanceof idle.shared.model.JobOutcome.Succeeded)
                || !out.toString().startsWith(expect)) {
            throw new SandboxException("the sandbox does not work on this machine (" + r.outcome()
                    + "): " + out.toString().strip());
        }
    }

    /** The full command line for one run. */
    List<String> command(Path work, RunSpec spec) {
        List<String> c = new ArrayList<>();
        LenderSettings l = settings;
        LenderEnvironment env = environments.get(spec.environment());
        EnvironmentMirror mirror = isSafe() ? env.mirror() : null;
        if (isSafe()) {
            String fds = (seccomp != null ? " 3<&0 0</dev/null" : "")
                    + (bwrap.bindFd() ? " 4<\"$w\"" : "")
                    + (bwrap.bindFd() && mirror != null ? " 5<\"$e\"" : "");
            if (!fds.isEmpty()) {
                // Java cannot hand a child more than stdin/out/err: a shell opens the seccomp pipe
                // (fd 3), the job's directory (fd 4) and the environment's copy (fd 5), then
                // becomes bubblewrap (exec keeps the pid the lender watches). Bubblewrap closes
                // them once it used them.
                c.addAll(List.of(SH.toString(), "-c", "w=$1; e=$2; shift 2; exec \"$@\"" + fds,
                        "idle-sandbox", work.toString(),
                        mirror != null ? mirror.dir().toString() : "/"));
            }
            if (root) {
                c.addAll(List.of(SETPRIV.toString(), "--reuid", String.valueOf(hostUid), "--regid",
                        String.valueOf(hostUid), "--clear-groups", "--"));
            }
            c.add(bwrap.path().toString());
            c.addAll(List.of("--ro-bind", "/usr", "/usr"));
            for (String top : List.of("lib", "lib64", "lib32", "libx32", "bin", "sbin")) {
                Path host = Path.of("/", top);
                try {
                    if (Files.isSymbolicLink(host)) {
                        c.addAll(List.of("--symlink", Files.readSymbolicLink(host).toString(),
                                host.toString()));
                    } else if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                        c.addAll(List.of("--ro-bind", host.toString(), host.toString()));
                    }
                } catch (IOException e) {
                    LOG.fine(() -> "skipping " + host + ": " + e);
                }
            }
            if (Files.isDirectory(ALTERNATIVES, LinkOption.NOFOLLOW_LINKS)) {
                c.addAll(List.of("--ro-bind", ALTERNATIVES.toString(), ALTERNATIVES.toString()));
            }
            if (mirror != null) {
                c.addAll(bwrap.bindFd() ? List.of("--ro-bind-fd", "5", env.sandboxPath())
                        : List.of("--ro-bind", mirror.dir().toString(), env.sandboxPath()));
            }
            c.addAll(bwrap.bindFd() ? List.of("--bind-fd", "4", "/work")
                    : List.of("--bind", work.toString(), "/work"));
            c.addAll(List.of("--dev", "/dev", "--proc", "/proc",
                    "--size", String.valueOf(TMP_BYTES), "--tmpfs", "/tmp",
                    // bwrap's root and /dev are tmpfs: read-only, or they would be unbounded RAM.
                    "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/work",
                    "--unshare-all", "--hostname", "idle-sandbox", "--new-session",
                    "--die-with-parent", "--clearenv",
                    "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/work",
                    "--setenv", "LANG", "C.UTF-8"));
            for (var e : new java.util.TreeMap<>(spec.taskVariables()).entrySet()) {
                c.addAll(List.of("--setenv", e.getKey(), e.getValue()));
            }
            c.addAll(List.of("--unshare-user", "--uid", String.valueOf(SANDBOX_UID),
                    "--gid", String.valueOf(SANDBOX_UID)));
            if (bwrap.disableUserns()) {
                c.add("--disable-userns");
            }
            if (seccomp != null) {
                c.addAll(List.of("--seccomp", "3"));
            }
            c.addAll(List.of("--cap-drop", "ALL", "--"));
        }
        c.add(PRLIMIT.toString());
        c.add("--cpu=" + l.cpuSeconds() + ":" + (l.cpuSeconds() + 1));
        c.add("--as=" + (long) l.memoryMb() * 1024 * 1024);
        c.add("--fsize=" + (long) l.maxOutputMb() * 1024 * 1024);
        c.add("--nofile=" + l.maxOpenFiles());
        c.add("--core=0");
        if (isSafe()) {
            c.add("--nproc=" + l.maxProcesses());
        }
        c.add("--");
        c.add(isSafe() ? env.command() : env.python().executable().toString());
        c.add("-I");
        c.add("-u");
        c.add(spec.scriptName());
        c.addAll(spec.args());
        return c;
    }

    /**
     * Runs the inventory probe ({@link InventoryProbe}) in environment {@code index}, in this
     * sandbox like a job, and returns what it offers.
     *
     * @throws SandboxException when the probe cannot run or says nothing useful
     */
    public PythonEnvironment probeInventory(int index) throws SandboxException {
        LenderEnvironment env = environments.get(index);
        InventoryProbe.Inventory inv = InventoryProbe.run(this, env);
        environments.packageDirsFound(env, inv.siteDirs());
        return inv.environment();
    }

    private static String safeLabel(String label) {
        String s = label.replaceAll("[^A-Za-z0-9_.-]", "_");
        return s.length() > 40 ? s.substring(0, 40) : s;
    }

    static void chownTree(Path dir, int uid) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }
}
