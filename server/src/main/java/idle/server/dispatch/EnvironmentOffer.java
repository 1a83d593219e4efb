package idle.server.dispatch;

import idle.shared.model.Distribution;
import idle.shared.model.JobNeeds;
import idle.shared.model.ModuleNeed;
import idle.shared.model.PythonEnvironment;
import idle.shared.packages.Version;
import idle.shared.packages.VersionSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One python environment of a lender, indexed for matching a job's needs against it: which
 * top-level modules it can import, in which versions (those of the distributions providing
 * them), and which distributions it has. See docs/PROTOCOL.md, "Packages", for the rules.
 * Immutable and thread-safe once built.
 */
final class EnvironmentOffer {
    private static final String[] NO_VERSION = new String[0];

    final String pythonVersion;
    /** Module name to the versions of the distributions providing it (often one, may be none). */
    private final Map<String, String[]> modules;
    /** Normalized distribution name to its version. */
    private final Map<String, String> distributions;
    /**
     * Every version string of this environment, parsed once (matching runs under the state
     * machine's lock, for many lenders and jobs); absent when it does not parse.
     */
    private final Map<String, Version> parsed;

    private EnvironmentOffer(String pythonVersion, Map<String, String[]> modules,
            Map<String, String> distributions, Map<String, Version> parsed) {
        this.pythonVersion = pythonVersion;
        this.modules = modules;
        this.distributions = distributions;
        this.parsed = parsed;
    }

    static EnvironmentOffer of(PythonEnvironment e) {
        Map<String, String[]> modules = new HashMap<>(e.modules().size() * 2);
        for (String m : e.modules()) {
            modules.put(m, NO_VERSION);
        }
        Map<String, String> dists = new HashMap<>(e.distributions().size() * 2);
        Map<String, Version> parsed = new HashMap<>();
        for (Distribution d : e.distributions()) {
            dists.put(ModuleNeed.normalize(d.name()), d.version());
            Version v = parsed.containsKey(d.version()) ? null : Version.parse(d.version());
            if (v != null) {
                parsed.put(d.version(), v);
            }
            for (String m : d.modules()) {
                String[] old = modules.get(m);
                String[] grown = java.util.Arrays.copyOf(old, old.length + 1);
                grown[old.length] = d.version();
                modules.put(m, grown);
            }
        }
        return new EnvironmentOffer(e.pythonVersion(), modules, dists, parsed);
    }

    /** The offers of every environment of {@code envs}, in order. */
    static List<EnvironmentOffer> of(List<PythonEnvironment> envs) {
        return envs.stream().map(EnvironmentOffer::of).toList();
    }

    /** True when {@code name} is here in any version (as a module, or else a distribution). */
    boolean has(String name) {
        return modules.containsKey(name) || distributions.containsKey(ModuleNeed.normalize(name));
    }

    /**
     * The versions of {@code name} here: those of the distributions providing the module of that
     * name, or else that of the distribution of that name; empty when none is known.
     */
    List<String> versionsOf(String name) {
        String[] v = modules.get(name);
        if (v != null) {
            return List.of(v);
        }
        String d = distributions.get(ModuleNeed.normalize(name));
        return d == null || d.isEmpty() ? List.of() : List.of(d);
    }

    /** True when this environment has {@code need}'s module in a version its spec accepts. */
    boolean satisfies(ModuleNeed need) {
        String[] v = modules.get(need.name());
        if (v != null) {
            if (need.spec().isAny()) {
                return true;
            }
            for (String version : v) {
                if (accepts(need.spec(), version)) {
                    return true;
                }
            }
        }
        String d = distributions.get(ModuleNeed.normalize(need.name()));
        return d != null && accepts(need.spec(), d);
    }

    /** {@code spec.matches(version)} with the version parsed once. */
    private boolean accepts(VersionSpec spec, String version) {
        if (spec.isAny()) {
            return true;
        }
        Version v = parsed.get(version);
        return v != null && spec.matches(v);
    }

    /** True when every module need is satisfied here (the python version is not checked). */
    boolean satisfiesModules(JobNeeds needs) {
        for (ModuleNeed n : needs.modules()) {
            if (!satisfies(n)) {
                return false;
            }
        }
        return true;
    }

    /** True when this python is at least {@code needs.minPython()} and every module is here. */
    boolean satisfies(JobNeeds needs) {
        return (needs.minPython().isEmpty()
                || LenderHandle.compareVersions(pythonVersion, needs.minPython()) >= 0)
                && satisfiesModules(needs);
    }

    /** The module names this environment offers. */
    Iterable<String> moduleNames() {
        return modules.keySet();
    }

    /** Number of modules offered. */
    int moduleCount() {
        return modules.size();
    }
}
