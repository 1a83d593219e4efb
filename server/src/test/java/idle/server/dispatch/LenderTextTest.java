package idle.server.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import idle.shared.model.JobOutcome;
import idle.shared.model.Limit;
import org.junit.jupiter.api.Test;

/** Issue 11, hole 14d: what is left of a lender's text once the server cleaned it. */
class LenderTextTest {
    @Test
    void controlsAndBidiGoLineBreaksBecomeSpaces() {
        assertEquals("]0;pwned[2Jgone", LenderText.clean("\u001b]0;pwned\u0007\u001b[2Jgone"));
        assertEquals("a b c d e f", LenderText.clean("a\nb\rc\td\u2028e\u0085f"));
        assertEquals("txt.exe", LenderText.clean("\u202etxt.exe\u2066\u200f\u061c\u007f\u009b"));
        assertEquals("emoji \uD83D\uDE00 ok", LenderText.clean("emoji \uD83D\uDE00 ok\uD800"));
        assertEquals("", LenderText.clean((String) null));
        assertEquals("plain words", LenderText.clean("plain words"));
    }

    @Test
    void longTextIsCutWithAnEllipsisNeverHalfAPair() {
        String cut = LenderText.clean("x".repeat(10_000));
        assertEquals(LenderText.MAX_CHARS, cut.length());
        assertEquals('\u2026', cut.charAt(cut.length() - 1));
        assertEquals("x".repeat(LenderText.MAX_CHARS), LenderText.clean("x".repeat(
                LenderText.MAX_CHARS)), "exactly the limit is kept whole");
        String pairs = LenderText.clean("\uD83D\uDE00".repeat(400), 8);
        assertEquals("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\u2026", pairs);
    }

    @Test
    void capabilitiesAreCleanedAndKeepTheirEnvironments() {
        var env = new idle.shared.model.PythonEnvironment("3.11\u001b[2J", java.util.List.of("numpy"),
                java.util.List.of(new idle.shared.model.Distribution("numpy", "1.24.2",
                        java.util.List.of("numpy"))));
        var caps = new idle.shared.model.LenderCapabilities("3.11\u001b[2J", 2, 1024, 1, 60, 256,
                600, 64, "bwrap\u0007", false, java.util.List.of(env, env));
        var c = LenderText.clean(caps);
        assertEquals("3.11[2J", c.pythonVersion());
        assertEquals("bwrap", c.sandbox());
        assertEquals(2, c.environments().size(), "what the lender offers survives the cleaning");
        assertEquals("3.11[2J", c.environments().get(0).pythonVersion());
        assertEquals(env.modules(), c.environments().get(1).modules());
        assertEquals(env.distributions(), c.environments().get(1).distributions());
    }

    @Test
    void outcomesKeepTheirMeaning() {
        JobOutcome ok = new JobOutcome.Succeeded();
        assertSame(ok, LenderText.clean(ok));
        assertEquals(new JobOutcome.Error("bad thing"), LenderText.clean(
                new JobOutcome.Error("bad\u001b thing")));
        assertEquals(new JobOutcome.LimitExceeded(Limit.OUTPUT, "too much"), LenderText.clean(
                new JobOutcome.LimitExceeded(Limit.OUTPUT, "too\u0007 much")));
    }
}
