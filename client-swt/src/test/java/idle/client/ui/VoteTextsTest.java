package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.net.UntrustedText;
import idle.client.ui.model.JobRow;
import idle.client.ui.model.ReplicaLine;
import idle.client.ui.model.VerifyChoice;
import idle.client.ui.model.VoteTexts;
import idle.client.ui.service.SubmitRequest;
import idle.shared.model.ComparePart;
import idle.shared.model.JobDetail;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ReplicaResult;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import idle.shared.model.WaitPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How verified jobs read in the workbench (issue 13), without SWT: the Vote column's text, the
 * sentences over the output and in notifications, a row's note while the vote runs and after,
 * the replicas' side-by-side cells (which parts differ, hostile text cleaned), and the composer's
 * choice as kept in the settings file.
 */
class VoteTextsTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String EMPTY =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static JobSummary job(JobState state, Integer exit, Verification v) {
        return new JobSummary(12, "random.py", state, exit, null, "", "amber-fox", 1, 1000, 2000,
                3000, 10, 0, 0, v);
    }

    private static Verification vote(int replicas, VoteState s, int agreeing, int results) {
        return new Verification(replicas, s, agreeing, results, ComparePart.ALL);
    }

    @Test
    void theVoteColumnShowsTheLabelAndNothingForAJobNotVerified() {
        assertEquals("", VoteTexts.cell(Verification.NONE));
        assertEquals("", VoteTexts.cell(null));
        assertEquals("vote 1/2", VoteTexts.cell(vote(2, VoteState.PENDING, 1, 1)));
        assertEquals("2/2 ✓", VoteTexts.cell(vote(2, VoteState.VERIFIED, 2, 2)));
        assertEquals("2 of 3", VoteTexts.cell(vote(2, VoteState.VERIFIED, 2, 3)));
        assertEquals("no majority", VoteTexts.cell(vote(2, VoteState.UNVERIFIED, 1, 4)));
    }

    @Test
    void sentencesSayWhereTheVoteStandsAndWhatWasCompared() {
        assertEquals("", VoteTexts.sentence(Verification.NONE));
        assertTrue(VoteTexts.sentence(vote(2, VoteState.PENDING, 1, 1))
                .startsWith("Waiting for the vote: 1 of 2 results in."));
        assertEquals("Verified: 2 of 2 lenders agree on exit code, stdout, stderr and files.",
                VoteTexts.sentence(vote(2, VoteState.VERIFIED, 2, 2)));
        assertTrue(VoteTexts.sentence(vote(2, VoteState.VERIFIED, 2, 3))
                .endsWith("The dissenting result is below."));
        Verification stdoutOnly = new Verification(2, VoteState.UNVERIFIED, 1, 4,
                Set.of(ComparePart.STDOUT, ComparePart.EXIT));
        String none = VoteTexts.sentence(stdoutOnly);
        assertTrue(none.startsWith("No majority: the 4 lenders' results disagree (at most 1 agree)"), none);
        assertEquals("Verified: 2 of 3 lenders agree on exit code and stdout. The dissenting result is below.",
                VoteTexts.sentence(new Verification(2, VoteState.VERIFIED, 2, 3,
                        Set.of(ComparePart.STDOUT, ComparePart.EXIT))));
        assertEquals("exit code, stdout and files", VoteTexts.parts(
                Set.of(ComparePart.FILES, ComparePart.EXIT, ComparePart.STDOUT)));
        assertEquals("stderr", VoteTexts.parts(Set.of(ComparePart.STDERR)));
    }

    @Test
    void outcomesSayVerifiedOrNoMajority() {
        assertEquals("Finished successfully, verified: 2 of 2 lenders agree",
                VoteTexts.outcome(job(JobState.SUCCEEDED, 0, vote(2, VoteState.VERIFIED, 2, 2))));
        assertEquals("Exited with code 3, verified: 2 of 3 lenders agree",
                VoteTexts.outcome(job(JobState.FAILED, 3, vote(2, VoteState.VERIFIED, 2, 3))));
        assertEquals("No majority: 4 results disagree",
                VoteTexts.outcome(job(JobState.UNVERIFIED, null, vote(2, VoteState.UNVERIFIED, 1, 4))));
        assertEquals("Finished successfully", VoteTexts.outcome(job(JobState.SUCCEEDED, 0, Verification.NONE)));
        assertEquals("Job 12 (random.py): No majority: 4 results disagree", JobsController.ending(
                job(JobState.UNVERIFIED, null, vote(2, VoteState.UNVERIFIED, 1, 4))));
        assertTrue(VoteTexts.showReplicas(vote(2, VoteState.UNVERIFIED, 1, 4)));
        assertTrue(VoteTexts.showReplicas(vote(2, VoteState.VERIFIED, 2, 3)));
        assertFalse(VoteTexts.showReplicas(vote(2, VoteState.VERIFIED, 2, 2)));
        assertFalse(VoteTexts.showReplicas(vote(2, VoteState.PENDING, 1, 2)));
    }

    @Test
    void aRowShowsItsVoteFromTheStartAndWaitsForItThenEndsWithIt() {
        SubmitRequest request = new SubmitRequest(Path.of("random.py"), List.of(), List.of(),
                WaitPolicy.QUEUE, 3, Set.of(ComparePart.EXIT));
        JobRow row = new JobRow(request, 0);
        row.accepted(12, JobState.QUEUED, "");
        assertEquals(new Verification(3, VoteState.PENDING, 0, 0, Set.of(ComparePart.EXIT)), row.vote());
        assertEquals("Waiting for the vote (0 of 3 results)", row.note());
        row.update(job(JobState.RUNNING, null, vote(3, VoteState.PENDING, 1, 1)));
        assertEquals("Waiting for the vote (1 of 3 results)", row.note());
        JobSummary short1 = new JobSummary(12, "random.py", JobState.QUEUED, null, null,
                "needs 3 lenders of different accounts, 2 online", "", 1, 1000, 0, 0, 0, 0, 0,
                vote(3, VoteState.PENDING, 0, 0));
        row.update(short1);
        assertEquals("needs 3 lenders of different accounts, 2 online", row.note(), "the server's reason");
        row.update(job(JobState.SUCCEEDED, 0, vote(3, VoteState.VERIFIED, 3, 3)));
        assertEquals("Finished successfully, verified: 3 of 3 lenders agree", row.note());
        assertEquals("3/3 ✓", VoteTexts.cell(row.vote()));
        // a row not verified has no vote before or after
        JobRow plain = new JobRow(new SubmitRequest(Path.of("x.py"), List.of(), List.of(), WaitPolicy.QUEUE), 0);
        assertEquals(Verification.NONE, plain.vote());
        plain.accepted(13, JobState.QUEUED, "");
        assertEquals(Verification.NONE, plain.vote());
        assertEquals(0, plain.request().verify(), "the server's default unless chosen");
    }

    @Test
    void replicasSideBySideMarkWhatDiffersAndCleanWhatLendersChose() {
        ReplicaResult honest = new ReplicaResult("amber-fox", JobState.SUCCEEDED, 0, null, A, EMPTY,
                List.of(new OutputFileInfo("out.csv", 10, A)), true, List.of());
        ReplicaResult other = new ReplicaResult("brisk-owl", JobState.SUCCEEDED, 0, null, A, EMPTY,
                List.of(new OutputFileInfo("out.csv", 10, A)), true, List.of());
        ReplicaResult liar = new ReplicaResult("cold\u001b[2Jeel\u202e", JobState.FAILED, 1, null, B, A,
                List.of(new OutputFileInfo("out\u0007.csv", 10, B)), false,
                List.of("exit code differs: 1 / 0", "stdout differs at line 3: '\u001b]0;pwned\u0007' / '0.98'"));
        ReplicaResult limited = new ReplicaResult("dim-elk", JobState.LIMIT_EXCEEDED, null, Limit.values()[0],
                A, EMPTY, List.of(), false, List.of("file out.csv missing"));
        List<ReplicaLine> lines = ReplicaLine.of(List.of(liar, honest, other, limited));
        ReplicaLine h = lines.get(1);
        assertEquals(List.of("amber-fox", "exit 0", "aaaaaaaaaa", "(empty)", "out.csv aaaaaaaaaa", "yes"),
                List.of(h.lender(), h.outcome(), h.stdout(), h.stderr(), h.files(), h.majority()));
        assertEquals(Set.of(), h.differing(), "the reference is the first of the majority");
        ReplicaLine l = lines.get(0);
        assertEquals(Set.of(ComparePart.EXIT, ComparePart.STDOUT, ComparePart.STDERR, ComparePart.FILES),
                l.differing());
        assertEquals("no", l.majority());
        for (String text : List.of(l.lender(), l.files(), String.join("\n", l.differenceLines()))) {
            assertTrue(text.chars().noneMatch(c -> UntrustedText.unsafe((char) c)), "cleaned: " + text);
        }
        assertEquals(2, l.differenceLines().size());
        assertTrue(l.differenceLines().get(0).endsWith(": exit code differs: 1 / 0"), l.differenceLines().get(0));
        ReplicaLine d = lines.get(3);
        assertEquals(Set.of(ComparePart.EXIT, ComparePart.FILES), d.differing());
        assertEquals("none", d.files());
        assertTrue(d.outcome().endsWith("limit"), d.outcome());
        // with no majority the first result is the reference
        List<ReplicaLine> none = ReplicaLine.of(List.of(
                new ReplicaResult("x", JobState.SUCCEEDED, 0, null, A, EMPTY, List.of(), false, List.of()),
                new ReplicaResult("y", JobState.SUCCEEDED, 0, null, B, EMPTY, List.of(), false,
                        List.of("stdout differs at line 1: '1' / '2'"))));
        assertEquals(Set.of(), none.get(0).differing());
        assertEquals(Set.of(ComparePart.STDOUT), none.get(1).differing());
        assertEquals(List.of(), ReplicaLine.of(List.of()));
    }

    @Test
    void cleaningAJobsTextsKeepsItsVoteAndReplicas() {
        Verification v = vote(2, VoteState.UNVERIFIED, 1, 2);
        JobSummary hostile = new JobSummary(12, "random.py", JobState.UNVERIFIED, null, null,
                "lender said \u001b[31m", "", 1, 1, 2, 3, 0, 0, 0, v);
        ReplicaResult r = new ReplicaResult("x", JobState.SUCCEEDED, 0, null, A, EMPTY, List.of(), false,
                List.of());
        JobDetail detail = new JobDetail(hostile, A, List.of(), List.of(), List.of(), 0, A, List.of(r, r));
        JobDetail clean = UntrustedText.clean(detail);
        assertFalse(clean.summary().reason().contains("\u001b"));
        assertEquals(v, clean.summary().verification());
        assertEquals(2, clean.replicas().size());
    }

    @Test
    void theComposersChoiceReadsBackFromTheSettingsAndBadValuesFallBack() {
        VerifyChoice c = new VerifyChoice(3, Set.of(ComparePart.EXIT, ComparePart.STDOUT));
        assertEquals("exit,stdout", c.compareText());
        assertEquals(c, VerifyChoice.fromSettings(3, c.compareText()));
        assertTrue(c.votes());
        assertEquals("on 3 lenders, comparing exit code and stdout", c.describe());
        assertEquals(VerifyChoice.DEFAULT, VerifyChoice.fromSettings(9, "exit"));
        assertEquals(VerifyChoice.DEFAULT, VerifyChoice.fromSettings(-1, "exit"));
        assertEquals(new VerifyChoice(2, ComparePart.ALL), VerifyChoice.fromSettings(2, "exit,colour"));
        assertEquals(new VerifyChoice(2, ComparePart.ALL), VerifyChoice.fromSettings(2, ""));
        assertFalse(new VerifyChoice(1, Set.of()).votes());
        assertEquals(ComparePart.ALL, new VerifyChoice(1, Set.of()).compare());
        assertThrows(IllegalArgumentException.class, () -> new VerifyChoice(8, ComparePart.ALL));
        assertThrows(IllegalArgumentException.class, () -> new SubmitRequest(Path.of("x.py"), List.of(),
                List.of(), WaitPolicy.QUEUE, 8, ComparePart.ALL));
        SubmitRequest r = new idle.client.ui.model.PendingScript(Path.of("/tmp/x.py"))
                .toRequest(WaitPolicy.QUEUE, c);
        assertEquals(3, r.verify());
        assertEquals(Set.of(ComparePart.EXIT, ComparePart.STDOUT), r.compare());
    }
}
