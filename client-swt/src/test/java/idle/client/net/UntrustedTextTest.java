package idle.client.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import org.junit.jupiter.api.Test;

/** Text from the network cannot carry terminal escape sequences to the runner's screen. */
class UntrustedTextTest {
    static final String HOSTILE = "\u001b]0;pwned\u0007\u001b[2J";

    @Test
    void escapeSequencesLoseTheirControlCharacters() {
        assertEquals("\uFFFD]0;pwned\uFFFD\uFFFD[2J", UntrustedText.clean(HOSTILE));
        for (char c = 0; c < 0x20; c++) {
            String cleaned = UntrustedText.clean("a" + c + "b");
            assertEquals(c == '\n' || c == '\t' ? "a" + c + "b" : "a\uFFFDb", cleaned, "char " + (int) c);
        }
        assertEquals("\uFFFD\uFFFD\uFFFD", UntrustedText.clean("\u007f\u0080\u009b"), "DEL and C1 (CSI)");
        assertEquals("a\uFFFDevil\uFFFDb", UntrustedText.clean("a\u202eevil\u2066b"), "bidi overrides");
    }

    @Test
    void ordinaryTextIsKeptAsItIsAndNullStaysNull() {
        String plain = "exit code 3: ValueError: naïve café — 100 %\n\tline two";
        assertSame(plain, UntrustedText.clean(plain));
        assertEquals(null, UntrustedText.clean((String) null));
    }

    @Test
    void aSummarysTextsAreCleanedAndItsNumbersKept() {
        JobSummary s = new JobSummary(7, "a.py", JobState.FAILED, null, null, "lender says " + HOSTILE,
                "lender\u001b[31m", 2, 1, 2, 3, 4);
        JobSummary c = UntrustedText.clean(s);
        assertTrue(c.reason().startsWith("lender says \uFFFD]0;pwned"), c.reason());
        assertTrue(c.reason().chars().noneMatch(ch -> ch == 0x1b || ch == 0x07), c.reason());
        assertEquals("lender\uFFFD[31m", c.lender());
        assertEquals(new JobSummary(7, "a.py", JobState.FAILED, null, null, c.reason(), c.lender(), 2, 1, 2, 3, 4), c);
        JobSummary clean = new JobSummary(8, "b.py", JobState.QUEUED, null, null, "", "", 0, 0, 0, 0, 0);
        assertSame(clean, UntrustedText.clean(clean));
    }
}
