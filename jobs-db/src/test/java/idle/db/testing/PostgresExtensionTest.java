package idle.db.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Without PostgreSQL the tests fail loudly, unless a developer opted out on purpose. */
class PostgresExtensionTest {
    @Test
    void missingPostgresFailsWithWhatToInstall() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> PostgresExtension.check(false, false));
        assertEquals(PostgresExtension.MISSING, e.getMessage());
    }

    @Test
    void missingPostgresIsSkippedOnlyOnRequest() {
        assertThrows(TestAbortedException.class, () -> PostgresExtension.check(false, true));
    }

    @Test
    void installedPostgresPassesTheCheck() {
        PostgresExtension.check(true, false);
    }
}
