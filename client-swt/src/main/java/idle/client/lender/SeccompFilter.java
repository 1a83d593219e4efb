package idle.client.lender;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * The seccomp filter bubblewrap installs before it starts a script ({@code bwrap --seccomp FD}):
 * classic BPF that answers {@code EPERM} to the system calls a python job has no use for and
 * that widen the kernel's attack surface from inside the sandbox (io_uring, bpf,
 * perf_event_open, userfaultfd, the keyring, ptrace and cross-process memory access, module
 * loading, kexec, mounts and namespaces, clock setting, and the like), and kills a process that
 * makes a system call of another architecture (x32, or 32-bit calls on a 64-bit kernel, which
 * would get around the numbers below). Everything else is allowed: the filter is a deny-list on
 * top of the namespaces, the dropped capabilities and the rlimits, not a replacement for them.
 *
 * <p>No new namespaces, whatever bubblewrap can do: {@code unshare} and {@code setns} are
 * refused, {@code clone} is refused ({@code EPERM}) when its flags ask for any new namespace
 * ({@link #CLONE_NEW_ANY}), and {@code clone3}, whose flags sit in memory a filter cannot read,
 * answers {@code ENOSYS}, so the C library falls back to {@code clone} for threads and processes.
 * Bubblewrap's own {@code --disable-userns} came only with 0.8.0.
 *
 * <p>Only for x86_64, where the syscall numbers were checked; elsewhere {@link #forThisMachine}
 * is empty and the sandbox runs without a filter (its summary says so).
 */
public final class SeccompFilter {
    /** {@code AUDIT_ARCH_X86_64}: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** x32 system calls have this bit set in their number. */
    static final int X32_SYSCALL_BIT = 0x40000000;
    static final int EPERM = 1;
    static final int ENOSYS = 38;
    static final int CLONE = 56;
    static final int CLONE3 = 435;
    /**
     * CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. (CLONE_NEWTIME, 0x80, is
     * clone3's and unshare's only: in clone's flags that bit belongs to the exit signal.)
     */
    static final int CLONE_NEW_ANY = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000
            | 0x10000000 | 0x20000000 | 0x40000000;

    /** Denied on x86_64 (name, number), from the kernel's syscall_64.tbl. */
    static final List<Syscall> DENIED_X86_64 = List.of(
            new Syscall("ptrace", 101), new Syscall("syslog", 103),
            new Syscall("vhangup", 153),
            new Syscall("pivot_root", 155), new Syscall("adjtimex", 159),
            new Syscall("acct", 163), new Syscall("settimeofday", 164),
            new Syscall("mount", 165), new Syscall("umount2", 166),
            new Syscall("swapon", 167), new Syscall("swapoff", 168),
            new Syscall("reboot", 169), new Syscall("init_module", 175),
            new Syscall("delete_module", 176), new Syscall("quotactl", 179),
            new Syscall("lookup_dcookie", 212), new Syscall("clock_settime", 227),
            new Syscall("kexec_load", 246), new Syscall("add_key", 248),
            new Syscall("request_key", 249), new Syscall("keyctl", 250),
            new Syscall("unshare", 272), new Syscall("perf_event_open", 298),
            new Syscall("fanotify_init", 300), new Syscall("name_to_handle_at", 303),
            new Syscall("open_by_handle_at", 304), new Syscall("clock_adjtime", 305),
            new Syscall("setns", 308), new Syscall("process_vm_readv", 310),
            new Syscall("process_vm_writev", 311), new Syscall("kcmp", 312),
            new Syscall("finit_module", 313), new Syscall("kexec_file_load", 320),
            new Syscall("bpf", 321), new Syscall("userfaultfd", 323),
            new Syscall("io_uring_setup", 425), new Syscall("io_uring_enter", 426),
            new Syscall("io_uring_register", 427), new Syscall("open_tree", 428),
            new Syscall("move_mount", 429), new Syscall("fsopen", 430),
            new Syscall("fsconfig", 431), new Syscall("fsmount", 432),
            new Syscall("fspick", 433), new Syscall("mount_setattr", 442));

    /** One system call by name and number. */
    public record Syscall(String name, int number) {
    }

    // classic BPF opcodes (linux/filter.h, linux/seccomp.h)
    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JGE_K = 0x35;
    private static final short JSET_K = 0x45;
    private static final short RET_K = 0x06;
    private static final int RET_KILL_PROCESS = 0x80000000;
    private static final int RET_ERRNO = 0x00050000;
    private static final int RET_ALLOW = 0x7fff0000;
    private static final int OFFSET_NR = 0;
    private static final int OFFSET_ARCH = 4;
    /** The low half of args[0] (little-endian): clone's flags. */
    private static final int OFFSET_ARG0_LOW = 16;

    private final int arch;
    private final List<Syscall> denied;

    SeccompFilter(int arch, List<Syscall> denied) {
        if (denied.size() > 200) {
            throw new IllegalArgumentException("too many system calls for 8-bit jump offsets");
        }
        this.arch = arch;
        this.denied = List.copyOf(denied);
    }

    /** The filter for this machine's architecture, or empty where none was written. */
    public static Optional<SeccompFilter> forThisMachine() {
        String a = System.getProperty("os.arch", "");
        if (a.equals("amd64") || a.equals("x86_64")) {
            return Optional.of(new SeccompFilter(AUDIT_ARCH_X86_64, DENIED_X86_64));
        }
        return Optional.empty();
    }

    /** The system calls answered EPERM. */
    public List<Syscall> denied() {
        return denied;
    }

    /** The program as {@code struct sock_filter[]} in native (little-endian) byte order. */
    public byte[] program() {
        int n = denied.size();
        // 0 ld arch; 1 jeq arch; 2 kill; 3 ld nr; 4 jge x32 -> eperm; 5 jeq clone3 -> enosys;
        // 6 jeq clone -> flags; 7.. jeq nr_i -> eperm; 7+n allow;
        // 8+n flags: ld args[0]; 9+n jset CLONE_NEW_ANY -> eperm; 10+n allow; 11+n eperm; 12+n enosys
        int flags = 8 + n;
        int eperm = 11 + n;
        int enosys = 12 + n;
        ByteBuffer b = ByteBuffer.allocate((13 + n) * 8).order(ByteOrder.LITTLE_ENDIAN);
        insn(b, LD_W_ABS, 0, 0, OFFSET_ARCH);
        insn(b, JEQ_K, 1, 0, arch);
        insn(b, RET_K, 0, 0, RET_KILL_PROCESS);
        insn(b, LD_W_ABS, 0, 0, OFFSET_NR);
        insn(b, JGE_K, eperm - 5, 0, X32_SYSCALL_BIT);
        insn(b, JEQ_K, enosys - 6, 0, CLONE3);
        insn(b, JEQ_K, flags - 7, 0, CLONE);
        for (int i = 0; i < n; i++) {
            int pc = 7 + i;
            insn(b, JEQ_K, eperm - (pc + 1), 0, denied.get(i).number());
        }
        insn(b, RET_K, 0, 0, RET_ALLOW);
        insn(b, LD_W_ABS, 0, 0, OFFSET_ARG0_LOW);
        insn(b, JSET_K, eperm - (flags + 2), 0, CLONE_NEW_ANY);
        insn(b, RET_K, 0, 0, RET_ALLOW);
        insn(b, RET_K, 0, 0, RET_ERRNO | EPERM);
        insn(b, RET_K, 0, 0, RET_ERRNO | ENOSYS);
        return b.array();
    }

    private static void insn(ByteBuffer b, short code, int jt, int jf, int k) {
        if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
            throw new IllegalStateException("jump offset out of range");
        }
        b.putShort(code);
        b.put((byte) jt);
        b.put((byte) jf);
        b.putInt(k);
    }
}
