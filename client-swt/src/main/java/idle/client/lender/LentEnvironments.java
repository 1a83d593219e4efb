package idle.client.lender;

import idle.shared.model.LenderCapabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The python environments a {@link Sandbox} lends, and the neutral copies of those outside /usr
 * ({@link EnvironmentMirror}, in the lender's work directory). Knows, from each environment's
 * probe, the directories on this machine its packages live in, so the lender can notice that
 * its owner installed or removed one ({@link #fingerprint}) and make the copies again
 * ({@link #refreshCopies}).
 *
 * <p>Copies are removed by {@link #close}, and at the end of the JVM at the latest; a copy that
 * was replaced stays until then, since a job that started before may have it mounted.
 * Thread-safe.
 */
final class LentEnvironments implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LentEnvironments.class.getName());
    /** Copies not removed yet, of every sandbox of this JVM. */
    private static final Set<EnvironmentMirror> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (EnvironmentMirror m : LIVE) {
                m.delete();
            }
        }, "idle-environment-copies"));
    }

    private final boolean sandboxed;
    private final WorkRoot root;
    private volatile List<LenderEnvironment> all;
    /** Every copy this made, current or replaced. */
    private final Set<EnvironmentMirror> made = ConcurrentHashMap.newKeySet();
    /** Per environment index, where its packages are on this machine. */
    private final Map<Integer, List<Path>> packageDirs = new ConcurrentHashMap<>();
    private int generation;

    private LentEnvironments(boolean sandboxed, WorkRoot root) {
        this.sandboxed = sandboxed;
        this.root = root;
    }

    /**
     * The environments of {@code pythons} (1 to {@link LenderCapabilities#MAX_ENVIRONMENTS}), those
     * outside /usr copied into {@code root} when {@code sandboxed}.
     *
     * @throws IOException when a copy cannot be made (none is left behind)
     */
    static LentEnvironments make(List<PythonInterpreter> pythons, boolean sandboxed, WorkRoot root)
            throws IOException {
        if (pythons.isEmpty() || pythons.size() > LenderCapabilities.MAX_ENVIRONMENTS) {
            throw new IllegalArgumentException(pythons.size() + " environments; 1 to "
                    + LenderCapabilities.MAX_ENVIRONMENTS + " expected");
        }
        LentEnvironments envs = new LentEnvironments(sandboxed, root);
        List<LenderEnvironment> list = new ArrayList<>();
        try {
            for (int i = 0; i < pythons.size(); i++) {
                list.add(envs.environment(i, pythons.get(i), "env-" + (i + 1)));
            }
        } catch (IOException | RuntimeException e) {
            envs.close();
            throw e;
        }
        envs.all = List.copyOf(list);
        return envs;
    }

    /** Environment {@code i}: in place, or a neutral copy named {@code copyName}. */
    private LenderEnvironment environment(int i, PythonInterpreter py, String copyName)
            throws IOException {
        if (!sandboxed || py.underUsr()) {
            return LenderEnvironment.inPlace(i, py);
        }
        String home = System.getProperty("user.home", "");
        // a home like /home/alice names its owner; "/root" or "/" does not
        List<String> secrets = Path.of(home).getNameCount() >= 2 ? List.of(home) : List.of();
        EnvironmentMirror m;
        try {
            m = EnvironmentMirror.make(py.prefix(), List.of(py.prefix().toString()), secrets,
                    root.path().resolve(copyName), LenderEnvironment.neutralPath(i));
        } catch (IOException e) {
            throw new IOException("cannot prepare the environment " + py.prefix()
                    + " for the sandbox: " + e.getMessage(), e);
        }
        LIVE.add(m);
        made.add(m);
        if (!m.leftOut().isEmpty()) {
            LOG.info(() -> "environment " + (i + 1) + " (" + py.prefix() + "): " + m.describe()
                    + ": " + String.join(", ", m.leftOut().subList(0,
                            Math.min(20, m.leftOut().size()))));
        }
        return LenderEnvironment.mirrored(i, py, m);
    }

    /** The environments, in order (their indices are those of the offer). */
    List<LenderEnvironment> all() {
        return all;
    }

    /** Environment {@code index}. */
    LenderEnvironment get(int index) {
        List<LenderEnvironment> now = all;
        if (index < 0 || index >= now.size()) {
            throw new IllegalArgumentException("no environment " + (index + 1) + " here");
        }
        return now.get(index);
    }

    /** Records where {@code env}'s packages are, from the directories its probe searched. */
    void packageDirsFound(LenderEnvironment env, List<String> sandboxDirs) {
        List<Path> out = new ArrayList<>();
        for (String d : sandboxDirs) {
            String at = env.sandboxPath();
            if (at != null && (d.equals(at) || d.startsWith(at + "/"))) {
                out.add(env.python().prefix().resolve(d.substring(at.length()).replaceFirst("^/", "")));
            } else {
                out.add(Path.of(d));
            }
        }
        packageDirs.put(env.index(), List.copyOf(out));
    }

    /**
     * The modification times of the directories the environments' packages are in, on this
     * machine: installing or removing a package changes its directory's, so a different
     * fingerprint means the offer may have changed. A stat per directory.
     */
    List<String> fingerprint() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (Path p : packageDirs.getOrDefault(i, List.of())) {
                String t;
                try {
                    t = String.valueOf(Files.getLastModifiedTime(p).toMillis());
                } catch (IOException e) {
                    t = "-";
                }
                out.add(i + " " + p + " " + t);
            }
        }
        return out;
    }

    /**
     * Makes the copies again, under new names; jobs start in the new ones from now on.
     *
     * @throws IOException when a copy cannot be made (the old ones stay in use)
     */
    synchronized void refreshCopies() throws IOException {
        List<LenderEnvironment> now = new ArrayList<>(all);
        generation++;
        for (int i = 0; i < now.size(); i++) {
            LenderEnvironment e = now.get(i);
            if (e.mirror() != null) {
                now.set(i, environment(i, e.python(), "env-" + (i + 1) + "-" + generation));
            }
        }
        all = List.copyOf(now);
    }

    /** Removes every copy this made. Idempotent. */
    @Override
    public void close() {
        for (EnvironmentMirror m : made) {
            if (LIVE.remove(m)) {
                m.delete();
            }
        }
    }
}
