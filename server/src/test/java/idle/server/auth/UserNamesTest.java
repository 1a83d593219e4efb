package idle.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UserNamesTest {
    @Test
    void theAlphabetRefusesBlanksControlsAndOtherForms() {
        for (String ok : new String[] {"alice", "Bob.Smith", "a_b-c@d", "josé", "x".repeat(64)}) {
            assertTrue(UserNames.isValid(ok), ok);
        }
        for (String bad : new String[] {"", "alice ", " alice", "al ice", "alice\t", "a\u001b[31m",
            "a\u200bb", "jose\u0301", "x".repeat(65), "a/b", "a\u0000"}) {
            assertNotNull(UserNames.check(bad), bad);
        }
    }

    @Test
    void aliasesHaveOneKeyAndKeysAreBounded() {
        assertEquals("alice", UserNames.key("alice"));
        for (String alias : new String[] {"alice ", "ALICE", " Alice\t", "ａｌｉｃｅ", "al\u200bice"}) {
            assertEquals("alice", UserNames.key(alias), alias);
        }
        String k = UserNames.key("y".repeat(300_000));
        assertTrue(k.length() <= UserNames.MAX_LENGTH + 1, "bounded: " + k.length());
        assertTrue(k.endsWith("~"));
    }

    @Test
    void displayEscapesWhatIsNotAName() {
        assertEquals("alice", UserNames.display("alice"));
        assertEquals("alice\\u0020", UserNames.display("alice "));
        String d = UserNames.display("\u001b]0;pwned\u0007" + "z".repeat(500));
        assertFalse(d.chars().anyMatch(c -> c < 0x20 || c == 0x7f), d);
        assertTrue(d.length() < 100 && d.endsWith("~"), d);
    }
}
