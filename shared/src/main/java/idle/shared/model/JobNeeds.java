package idle.shared.model;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a job needs from a lender. Zero means "no particular need".
 *
 * @param minPython lowest python3 version the script accepts, like "3.10"; empty for any
 * @param memoryMb memory the script needs, in MiB
 * @param timeoutSeconds wall-clock seconds the script needs at least
 * @param modules the python packages it imports (or was told to need), each name at most once,
 *     at most {@link #MAX_MODULES}; all must be offered by one environment of the lender
 */
public record JobNeeds(String minPython, int memoryMb, int timeoutSeconds,
        List<ModuleNeed> modules) {
    /** Most module needs of one job. */
    public static final int MAX_MODULES = 256;
    public static final JobNeeds NONE = new JobNeeds("", 0, 0, List.of());

    public JobNeeds {
        Objects.requireNonNull(minPython, "minPython");
        if (memoryMb < 0 || timeoutSeconds < 0) {
            throw new IllegalArgumentException("needs must not be negative");
        }
        modules = List.copyOf(modules);
        if (modules.size() > MAX_MODULES) {
            throw new IllegalArgumentException(modules.size() + " module needs; at most "
                    + MAX_MODULES);
        }
        Set<String> seen = new HashSet<>();
        for (ModuleNeed m : modules) {
            if (!seen.add(m.name())) {
                throw new IllegalArgumentException("module " + m.name() + " is needed twice");
            }
        }
    }

    /** Needs without modules. */
    public JobNeeds(String minPython, int memoryMb, int timeoutSeconds) {
        this(minPython, memoryMb, timeoutSeconds, List.of());
    }

    /** These needs with {@code newModules} instead of the modules they had. */
    public JobNeeds withModules(List<ModuleNeed> newModules) {
        return new JobNeeds(minPython, memoryMb, timeoutSeconds, newModules);
    }
}
