package idle.server.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.ComparePart;
import idle.shared.model.JobState;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ReplicaResult;
import idle.shared.model.StreamKind;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The vote's pure logic: grouping, strict majorities, ties, narrowed comparisons, the lines. */
class VoteTallyTest {
    private static long ids;

    static Ballot b(int exit, String out, String err, List<OutputFileInfo> files) {
        return new Ballot(++ids, "u" + ids, "lender-" + ids, exit == 0 ? JobState.SUCCEEDED
                : JobState.FAILED, exit, null, "", out, err, files, 0, "", 1);
    }

    static Ballot b(int exit, String out) {
        return b(exit, out, "e", List.of());
    }

    @Test
    void twoOfTwoAgreeAndOneOfTwoIsNoMajority() {
        Ballot x = b(0, "a");
        Ballot y = b(0, "a");
        VoteTally t = VoteTally.of(List.of(x, y), ComparePart.ALL);
        assertEquals(List.of(x, y), t.majority());
        assertEquals(2, t.agreeing());
        assertNull(VoteTally.of(List.of(x, b(0, "b")), ComparePart.ALL).majority(),
                "a tie of two is no majority");
    }

    @Test
    void twoOfThreeIsAMajorityAndTheFirstOfItIsTheReference() {
        Ballot liar = b(3, "666");
        Ballot h1 = b(0, "hello");
        Ballot h2 = b(0, "hello");
        VoteTally t = VoteTally.of(List.of(liar, h1, h2), ComparePart.ALL);
        assertEquals(List.of(h1, h2), t.majority());
        assertSame(h1, t.reference(List.of(liar, h1, h2)));
        assertTrue(t.inMajority(h2));
        assertFalse(t.inMajority(liar));
    }

    @Test
    void twoOfFourIsNotAStrictMajorityNorIsAThreeWayTie() {
        Ballot a1 = b(0, "a");
        Ballot a2 = b(0, "a");
        Ballot b1 = b(0, "b");
        Ballot b2 = b(0, "b");
        assertNull(VoteTally.of(List.of(a1, b1, a2, b2), ComparePart.ALL).majority());
        VoteTally three = VoteTally.of(List.of(b(0, "x"), b(0, "y"), b(0, "z")), ComparePart.ALL);
        assertNull(three.majority());
        assertEquals(1, three.agreeing());
        assertEquals(3, three.groups().size());
    }

    @Test
    void narrowedComparisonsIgnoreWhatIsNotCompared() {
        Ballot x = b(0, "0.12", "warn 1", List.of(new OutputFileInfo("f", 1, "s1")));
        Ballot y = b(0, "0.98", "warn 2", List.of(new OutputFileInfo("f", 1, "s2")));
        assertNull(VoteTally.of(List.of(x, y), ComparePart.ALL).majority());
        assertEquals(2, VoteTally.of(List.of(x, y), Set.of(ComparePart.EXIT)).agreeing());
        assertNull(VoteTally.of(List.of(x, y), Set.of(ComparePart.EXIT, ComparePart.FILES))
                .majority());
        Ballot z = b(1, "0.12", "warn 1", x.files());
        assertNull(VoteTally.of(List.of(x, z), Set.of(ComparePart.EXIT)).majority(),
                "exit codes differ");
        assertEquals(2, VoteTally.of(List.of(x, z), Set.of(ComparePart.STDOUT,
                ComparePart.STDERR, ComparePart.FILES)).agreeing());
    }

    @Test
    void aLimitIsAResultLikeAnExitCode() {
        Ballot over = new Ballot(100, "u", "p", JobState.LIMIT_EXCEEDED, null, Limit.CPU_TIME,
                "", "a", "e", List.of(), 0, "", 0);
        Ballot over2 = new Ballot(101, "v", "q", JobState.LIMIT_EXCEEDED, null, Limit.CPU_TIME,
                "", "a", "e", List.of(), 0, "", 0);
        assertEquals(2, VoteTally.of(List.of(over, over2), ComparePart.ALL).agreeing());
        assertNull(VoteTally.of(List.of(over, b(0, "a")), ComparePart.ALL).majority());
    }

    // ---- difference lines -------------------------------------------------------------------

    static Differences.Streams streams(Map<Long, String> stdout) {
        return (id, kind, max) -> kind == StreamKind.STDOUT && stdout.containsKey(id)
                ? Optional.of(stdout.get(id).getBytes(StandardCharsets.UTF_8)) : Optional.empty();
    }

    @Test
    void theFirstDifferingLineOfAStreamIsShownThisResultFirst() {
        Ballot ref = b(0, "shaA");
        Ballot other = b(1, "shaB");
        Map<Long, String> out = new HashMap<>();
        out.put(ref.replicaId(), "x\ny\n0.98\n");
        out.put(other.replicaId(), "x\ny\n0.12\n");
        List<String> lines = Differences.between(other, ref, ComparePart.ALL, streams(out));
        assertEquals(List.of("exit differs: exit 1 / exit 0",
                "stdout differs at line 3: '0.12' / '0.98'"), lines);
        assertEquals(List.of(), Differences.between(ref, ref, ComparePart.ALL, streams(out)));
        assertEquals(List.of("stdout differs at line 3: '0.12' / '0.98'"),
                Differences.between(other, ref, Set.of(ComparePart.STDOUT), streams(out)));
    }

    @Test
    void aShorterStreamAndAStreamNoLongerStoredAreSaidSo() {
        assertEquals("line 2: <end> / 'b'", Differences.firstDifference(
                "a".getBytes(StandardCharsets.UTF_8), "a\nb".getBytes(StandardCharsets.UTF_8)));
        assertNull(Differences.firstDifference(new byte[] {1}, new byte[] {1}));
        Ballot ref = b(0, "aaaaaaaaaaaaaaaa");
        Ballot other = b(0, "bbbbbbbbbbbbbbbb");
        assertEquals(List.of("stdout differs (sha256 bbbbbbbbbbbb / aaaaaaaaaaaa; output no longer"
                + " stored)"), Differences.between(other, ref, ComparePart.ALL,
                        streams(Map.of())));
    }

    @Test
    void filesMissingExtraOrDifferentAreNamed() {
        Ballot ref = b(0, "o", "e", List.of(new OutputFileInfo("a", 1, "1"),
                new OutputFileInfo("b", 1, "2")));
        Ballot other = b(0, "o", "e", List.of(new OutputFileInfo("a", 1, "9"),
                new OutputFileInfo("c", 1, "3")));
        assertEquals(List.of("file a differs", "file b missing", "file c is extra"),
                Differences.between(other, ref, ComparePart.ALL, streams(Map.of())));
    }

    @Test
    void linesAreBoundedInNumberAndLength() {
        List<OutputFileInfo> many = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(new OutputFileInfo("f" + i, 1, "x"));
        }
        Ballot ref = b(0, "o", "e", many);
        Ballot other = b(0, "o", "e", List.of());
        List<String> lines = Differences.between(other, ref, ComparePart.ALL, streams(Map.of()));
        assertEquals(ReplicaResult.MAX_LINES, lines.size());
        assertEquals("… and 13 more differences", lines.get(lines.size() - 1));
        Ballot r1 = b(0, "s1");
        Ballot r2 = b(0, "s2");
        String longLine = "😀".repeat(500);
        List<String> l = Differences.between(r2, r1, ComparePart.ALL, streams(Map.of(
                r1.replicaId(), "x", r2.replicaId(), longLine)));
        assertTrue(l.get(0).length() <= ReplicaResult.MAX_LINE, l.get(0));
        assertTrue(l.get(0).endsWith("…' / 'x'"), l.get(0));
        new ReplicaResult("p", JobState.SUCCEEDED, 0, null, "", "", List.of(), false, l);
    }
}
