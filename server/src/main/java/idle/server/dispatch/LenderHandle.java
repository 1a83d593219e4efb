package idle.server.dispatch;

import idle.server.peer.Peer;
import idle.shared.model.JobNeeds;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ModuleNeed;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One online lender: its connection, what it offers, and the jobs it runs. One handle per lender
 * connection for the connection's whole life: a lender that withdrew and offers itself again on
 * the same connection keeps it ({@link #offerAgain}), so the attempts it runs stay bound to it.
 * Mutable state is guarded by the {@link JobStateMachine}'s lock.
 */
public final class LenderHandle {
    /** Refusals of EXF in a row after which a lender is benched. */
    static final int REFUSALS_TO_BENCH = 3;
    /** How long a benched lender gets no jobs (unless it offers itself again first). */
    static final Duration BENCH = Duration.ofMinutes(5);

    final Peer peer;
    final String user;
    final String pseudonym;
    LenderCapabilities caps;
    /** Its python environments, indexed for matching; same order as {@code caps}. */
    List<EnvironmentOffer> environments;
    /** Jobs it is given at once: its claim, bounded by the server (see {@link #slotsFor}). */
    int slots;
    /** Jobs handed to it, by job object (ids may still be 0 while the row is being written). */
    final Map<ActiveJob, Integer> running = new LinkedHashMap<>();
    boolean available = true;
    boolean withdrawn;
    boolean gone;
    /** EXFs refused since the last one it accepted. */
    int refusalsInARow;
    /** Given no jobs for refusing too many ({@link #BENCH}); {@link #benches} tells which time. */
    boolean benched;
    int benches;
    /**
     * Its account was suspended by an admin while it lent: no new jobs (those it runs may
     * finish). Set by {@link Coordinator#standingChanged}; a suspended account's MML is refused.
     */
    boolean suspended;
    final long since = System.currentTimeMillis();
    long jobsDone;

    /** @param maxSlots the server's bound on any lender's slots ({@link #slotsFor}) */
    LenderHandle(Peer peer, String user, String pseudonym, LenderCapabilities caps,
            int maxSlots) {
        this.peer = peer;
        this.user = user;
        this.pseudonym = pseudonym;
        this.caps = caps;
        this.environments = EnvironmentOffer.of(caps.environments());
        this.slots = slotsFor(caps, maxSlots);
    }

    /**
     * A withdrawn lender offers itself again (MML on the same connection): its new offer holds
     * from now on; the jobs it still runs stay its own.
     */
    void offerAgain(LenderCapabilities newCaps, int maxSlots) {
        caps = newCaps;
        environments = EnvironmentOffer.of(newCaps.environments());
        slots = slotsFor(newCaps, maxSlots);
        withdrawn = false;
        available = true;
        benched = false;
        refusalsInARow = 0;
    }

    /**
     * The jobs a lender is given at once: what it offers ({@code maxJobs}), but never more than
     * the server's {@code maxSlots} nor than the cores it reports (at least one). A lender's
     * claims are not trusted: one claiming 2^31-1 slots would otherwise be sent nearly every job.
     */
    static int slotsFor(LenderCapabilities caps, int maxSlots) {
        return Math.min(caps.maxJobs(), Math.min(maxSlots, Math.max(1, caps.cores())));
    }

    /** A copy of a lender's state at one moment (for the admin view). */
    record Snapshot(String pseudonym, String user, int running, int slots,
            LenderCapabilities caps, boolean available, boolean withdrawn, boolean benched,
            long jobsDone, boolean suspended) {
    }

    /** Call under the state machine's lock. */
    Snapshot snapshot() {
        return new Snapshot(pseudonym, user, running.size(), slots, caps, available, withdrawn,
                benched, jobsDone, suspended);
    }

    public String pseudonym() {
        return pseudonym;
    }

    public String user() {
        return user;
    }

    int freeSlots() {
        return (available && !withdrawn && !gone && !benched && !suspended)
                ? Math.max(0, slots - running.size()) : 0;
    }

    /** Whether this lender could ever run a job with {@code needs} (ignoring its load). */
    boolean canRun(JobNeeds needs) {
        return whyNot(needs) == null;
    }

    /**
     * The first of this lender's environments that satisfies {@code needs} (python version and
     * every module), or -1 when none does; an {@code EXF} names it.
     */
    int environmentFor(JobNeeds needs) {
        if (needs.modules().isEmpty() && needs.minPython().isEmpty()) {
            return 0;
        }
        for (int i = 0; i < environments.size(); i++) {
            if (environments.get(i).satisfies(needs)) {
                return i;
            }
        }
        return -1;
    }

    /** Why this lender can never run {@code needs}, or null when it can. */
    String whyNot(JobNeeds needs) {
        if (environmentFor(needs) < 0) {
            return whyNoEnvironment(needs);
        }
        if (needs.memoryMb() > 0 && caps.memoryLimitMb() > 0
                && needs.memoryMb() > caps.memoryLimitMb()) {
            return needs.memoryMb() + " MiB needed, it allows " + caps.memoryLimitMb() + " MiB";
        }
        if (needs.memoryMb() > 0 && caps.memoryLimitMb() <= 0 && needs.memoryMb() > caps.memoryMb()) {
            return needs.memoryMb() + " MiB needed, it has " + caps.memoryMb() + " MiB";
        }
        if (needs.timeoutSeconds() > 0 && caps.timeoutSeconds() > 0
                && needs.timeoutSeconds() > caps.timeoutSeconds()) {
            return needs.timeoutSeconds() + " s needed, it allows " + caps.timeoutSeconds() + " s";
        }
        return null;
    }

    /** Why none of the environments satisfies {@code needs} (one of them does not). */
    private String whyNoEnvironment(JobNeeds needs) {
        boolean pythonOk = needs.minPython().isEmpty();
        for (EnvironmentOffer e : environments) {
            pythonOk |= compareVersions(e.pythonVersion, needs.minPython()) >= 0;
        }
        if (!pythonOk) {
            return "python " + needs.minPython() + "+ needed, it has " + caps.pythonVersion();
        }
        for (ModuleNeed m : needs.modules()) {
            if (environments.stream().noneMatch(e -> e.satisfies(m))) {
                return "it lacks " + m;
            }
        }
        return "no environment of it has all of " + ModuleShortfall.names(needs.modules(), ", ")
                + (needs.minPython().isEmpty() ? "" : " with python " + needs.minPython() + "+");
    }

    /** Compares dotted version strings numerically ("3.10" > "3.9"); junk compares as 0. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? leadingInt(x[i]) : 0;
            int q = i < y.length ? leadingInt(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static int leadingInt(String s) {
        int v = 0;
        for (int i = 0; i < s.length() && Character.isDigit(s.charAt(i)) && v < 100_000; i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }
}
