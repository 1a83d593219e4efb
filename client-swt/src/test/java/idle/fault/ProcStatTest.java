package idle.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void aNameWithSpacesAndParenthesesIsReadUpToTheLastParenthesis() {
        ProcStat s = ProcStat.parse("4242 (C2 CompilerThre) x) S 1 4242 4242 0 -1 4194624 100 0 0 0"
                + " 37 5 0 0 20 0 30 0 123 456 789");
        assertEquals("C2 CompilerThre) x", s.name());
        assertEquals(370, s.userMillis());
        assertEquals(50, s.systemMillis());
        assertEquals(420, s.cpuMillis());
    }

    @Test
    void thisJvmsOwnStatParsesWithTheCpuItHasUsed() throws Exception {
        ProcStat s = ProcStat.parse(Files.readString(Path.of("/proc/self/stat")));
        assertTrue(s.cpuMillis() > 0, s.toString()); // a JVM that got this far has used CPU
    }

    @Test
    void somethingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("no parentheses"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parse("1 (x) S 2"));
    }
}
