package idle.fault;

/**
 * One line of Linux's {@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat}: the thread or
 * process name and the CPU time it used, for the benchmarks and fault runs that measure child
 * processes. Times are in milliseconds (the kernel counts 10 ms ticks).
 *
 * @param name the command or thread name (between the parentheses)
 * @param userMillis time in user space
 * @param systemMillis time in the kernel on its behalf (system calls, page faults)
 */
public record ProcStat(String name, long userMillis, long systemMillis) {
    /**
     * Parses a stat line.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static ProcStat parse(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        String[] f = stat.substring(close + 2).split(" ");
        // fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name
        try {
            return new ProcStat(stat.substring(open + 1, close), Long.parseLong(f[11]) * 10,
                    Long.parseLong(f[12]) * 10);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat, e);
        }
    }

    /** User and system time together. */
    public long cpuMillis() {
        return userMillis + systemMillis;
    }
}
