package idle.client.testing;

import idle.client.lender.Sandbox;
import idle.shared.testing.Requirement;

/**
 * The one check that tests needing the real bubblewrap sandbox call first. Without bubblewrap
 * they fail with a message saying what to install: they must never pass by being skipped in CI,
 * which installs it ({@code .ci/run}). A developer without it can skip them on purpose with
 * {@code -D}{@value #ALLOW_NO_SANDBOX}{@code =true}; off by default.
 */
public final class SandboxRequirement {
    /** System property that turns the failure into a skip, for a developer's machine only. */
    public static final String ALLOW_NO_SANDBOX = "idle.test.allowNoSandbox";
    static final String MISSING = "bubblewrap is required: apt-get install bubblewrap"
            + " (to skip the sandbox tests on a developer machine instead: -D" + ALLOW_NO_SANDBOX
            + "=true)";

    private SandboxRequirement() {
    }

    /** Returns if bubblewrap is installed; otherwise fails the test (or skips it, if opted out). */
    public static void requireBubblewrap() {
        check(Sandbox.findBubblewrap().isPresent(), Boolean.getBoolean(ALLOW_NO_SANDBOX));
    }

    static void check(boolean installed, boolean allowMissing) {
        Requirement.check(installed, allowMissing, ALLOW_NO_SANDBOX, MISSING);
    }
}
