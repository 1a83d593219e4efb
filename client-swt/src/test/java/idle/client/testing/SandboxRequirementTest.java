package idle.client.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing sandbox fails the test (with what to install) unless a developer opted out. */
class SandboxRequirementTest {
    @Test
    void missingBubblewrapFailsAndSaysWhatToInstall() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> SandboxRequirement.check(false, false));
        assertTrue(e.getMessage().startsWith("bubblewrap is required: apt-get install bubblewrap"),
                e.getMessage());
    }

    @Test
    void onlyTheExplicitOptOutTurnsItIntoASkip() {
        assertThrows(TestAbortedException.class, () -> SandboxRequirement.check(false, true));
        assertDoesNotThrow(() -> SandboxRequirement.check(true, false));
    }

    @Test
    void thisMachineHasIt() {
        // CI installs bubblewrap: here the real check must pass, not skip.
        assertDoesNotThrow(SandboxRequirement::requireBubblewrap);
    }
}
