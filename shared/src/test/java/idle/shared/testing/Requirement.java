package idle.shared.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What tests do when a program they need (bubblewrap, PostgreSQL) is missing: fail, saying what
 * to install, so that they never pass by being skipped in CI; or, when a developer opted out
 * with a system property, skip.
 */
public final class Requirement {
    private Requirement() {
    }

    /**
     * Returns if {@code present}; otherwise fails with {@code missing}, or aborts the test when
     * {@code allowMissing} (the value of the opt-out property {@code property}).
     */
    public static void check(boolean present, boolean allowMissing, String property, String missing) {
        if (present) {
            return;
        }
        if (allowMissing) {
            Assumptions.abort("skipped on request (-D" + property + "=true): " + missing);
        }
        Assertions.fail(missing);
    }
}
