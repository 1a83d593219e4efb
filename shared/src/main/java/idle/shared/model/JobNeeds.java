package idle.shared.model;

import java.util.Objects;

/**
 * What a job needs from a lender. Zero means "no particular need".
 *
 * @param minPython lowest python3 version the script accepts, like "3.10"; empty for any
 * @param memoryMb memory the script needs, in MiB
 * @param timeoutSeconds wall-clock seconds the script needs at least
 */
public record JobNeeds(String minPython, int memoryMb, int timeoutSeconds) {
    public static final JobNeeds NONE = new JobNeeds("", 0, 0);

    public JobNeeds {
        Objects.requireNonNull(minPython, "minPython");
        if (memoryMb < 0 || timeoutSeconds < 0) {
            throw new IllegalArgumentException("needs must not be negative");
        }
    }
}
