package idle.shared.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one file-name rule that the server, the runner and the lender share. */
class FileNamesTest {
    @Test
    void plainNamesAreAccepted() {
        for (String ok : List.of("a.py", "data.csv", "é".repeat(127), "..x", ".hidden", "a b")) {
            assertNull(FileNames.checkFileName(ok), ok);
        }
    }

    @Test
    void namesThatAreNotPlainAreRefused() {
        for (String bad : List.of("", ".", "..", "a/b.py", "a\\b", "a\0b", "a\nb", "x".repeat(256),
                "\u001b[2J", "é".repeat(200))) {
            assertNotNull(FileNames.checkFileName(bad), bad);
        }
    }

    @Test
    void relativePathsAreSegmentsOfPlainNames() {
        assertNull(FileNames.checkRelativePath("out/a.txt"));
        for (String bad : List.of("/etc/passwd", "a/../../x", "x/../b", "a//b", "a/", "",
                "a/".repeat(16) + "b", "x".repeat(1025))) {
            assertNotNull(FileNames.checkRelativePath(bad), bad);
        }
    }

    @Test
    void jobFilesMustBeDistinctPlainNames() {
        assertNull(FileNames.checkJobFiles("a.py", List.of("in.csv", "b.py")));
        assertTrue(FileNames.checkJobFiles("a/b.py", List.of()).startsWith("script:"));
        assertTrue(FileNames.checkJobFiles("a.py", List.of("../x")).startsWith("input file:"));
        assertTrue(FileNames.checkJobFiles("a.py", List.of("a.py")).contains("script's name"));
        assertTrue(FileNames.checkJobFiles("a.py", List.of("x", "x")).contains("given twice"));
    }

    @Test
    void reasonsAreSafeToPrint() {
        String why = FileNames.checkFileName("\u001b]0;pwned\u0007/" + "y".repeat(300));
        assertNotNull(why);
        assertFalse(why.chars().anyMatch(c -> c < 0x20), why);
        assertTrue(why.length() < 200, why);
        assertEquals("\"a?b\"", FileNames.printable("a\u0085b"));
    }
}
