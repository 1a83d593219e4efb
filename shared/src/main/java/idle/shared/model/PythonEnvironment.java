package idle.shared.model;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One python environment a lender offers: its interpreter's version and what it can import. A
 * lender probes it inside its sandbox, so this is what a job there can use. Standard-library
 * modules are not listed.
 *
 * <p>Sizes are bounded so that an {@code MML} with {@link LenderCapabilities#MAX_ENVIRONMENTS}
 * full environments stays under 3 MiB, within the 4 MiB frame: at most {@link #MAX_MODULES}
 * modules and {@link #MAX_DISTRIBUTIONS} distributions, names of at most
 * {@link ModuleNeed#MAX_NAME} characters, versions of at most {@link Distribution#MAX_VERSION}.
 * A lender with more reports the first ones (by name) and says so in its log.
 *
 * @param pythonVersion the interpreter's version, like "3.11.2"
 * @param modules the importable top-level modules that are not in the standard library, each
 *     once, like {@code [numpy, yaml]}; each a {@link ModuleNeed#isName name}
 * @param distributions the installed distributions, each name once
 */
public record PythonEnvironment(String pythonVersion, List<String> modules,
        List<Distribution> distributions) {
    /** Most modules listed per environment. */
    public static final int MAX_MODULES = 3000;
    /** Most distributions listed per environment. */
    public static final int MAX_DISTRIBUTIONS = 2000;

    public PythonEnvironment {
        Objects.requireNonNull(pythonVersion, "pythonVersion");
        modules = List.copyOf(modules);
        distributions = List.copyOf(distributions);
        if (modules.size() > MAX_MODULES || distributions.size() > MAX_DISTRIBUTIONS) {
            throw new IllegalArgumentException(modules.size() + " modules and "
                    + distributions.size() + " distributions; at most " + MAX_MODULES + " and "
                    + MAX_DISTRIBUTIONS);
        }
        Set<String> names = new HashSet<>();
        for (String m : modules) {
            if (!ModuleNeed.isName(m) || !names.add(m)) {
                throw new IllegalArgumentException("module '" + m + "' is not a name or is "
                        + "listed twice");
            }
        }
        Set<String> dists = new HashSet<>();
        int refs = 0;
        for (Distribution d : distributions) {
            if (!dists.add(d.name())) {
                throw new IllegalArgumentException("distribution " + d.name() + " listed twice");
            }
            for (String m : d.modules()) {
                if (!names.contains(m)) {
                    throw new IllegalArgumentException("distribution " + d.name()
                            + " provides " + m + ", which is not in the module list");
                }
            }
            refs += d.modules().size();
        }
        if (refs > MAX_MODULES) {
            throw new IllegalArgumentException(refs + " modules named by distributions; at most "
                    + MAX_MODULES);
        }
    }

    /** An environment whose modules are not known (a lender that does not report them). */
    public static PythonEnvironment unknown(String pythonVersion) {
        return new PythonEnvironment(pythonVersion, List.of(), List.of());
    }
}
