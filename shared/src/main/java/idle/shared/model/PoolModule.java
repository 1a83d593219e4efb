package idle.shared.model;

import java.util.List;
import java.util.Objects;

/**
 * One module in the pool's aggregated view ({@code GPT}): how many online lenders offer it and
 * which of its versions. The server lists a module only when lenders of at least
 * {@link #MIN_OWNERS} different users offer it, and a version only when that many offer that
 * version, so the view never tells what a single lender has installed.
 *
 * @param name the top-level module name
 * @param lenders online lenders offering it (in any of their environments)
 * @param versions versions of the distribution providing it, newest first, at most
 *     {@link #MAX_VERSIONS}; empty when none is offered by enough lenders
 */
public record PoolModule(String name, int lenders, List<String> versions) {
    /** Users whose lenders must offer a module (or a version) before the pool view shows it. */
    public static final int MIN_OWNERS = 2;
    /** Most versions listed per module. */
    public static final int MAX_VERSIONS = 8;

    public PoolModule {
        Objects.requireNonNull(name, "name");
        versions = List.copyOf(versions);
        if (!ModuleNeed.isName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a module name");
        }
        if (lenders < 0) {
            throw new IllegalArgumentException("negative lender count");
        }
        if (versions.size() > MAX_VERSIONS) {
            throw new IllegalArgumentException(versions.size() + " versions; at most "
                    + MAX_VERSIONS);
        }
        for (String v : versions) {
            if (!Distribution.isVersion(v) || v.isEmpty()) {
                throw new IllegalArgumentException("'" + v + "' is not a version");
            }
        }
    }
}
