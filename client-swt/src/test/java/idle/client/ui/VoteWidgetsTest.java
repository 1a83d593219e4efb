package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.ui.model.JobEvents;
import idle.client.ui.model.VerifyChoice;
import idle.client.ui.output.JobFeeds;
import idle.client.ui.resources.Icons;
import idle.client.ui.views.OutputTab;
import idle.client.ui.views.OutputTabs;
import idle.client.ui.views.VerifyComposer;
import idle.shared.model.ComparePart;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ReplicaResult;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workbench's widgets for verified jobs (issue 13) on their own, no server needed: the
 * composer's choice and its settings, the Vote column's text, badge and warning look in the real
 * queue and history tables' column, and an output tab's vote line and replicas side by side.
 * Screenshots: target/screenshots/vote-composer.png, vote-replicas.png.
 */
class VoteWidgetsTest extends WidgetShellBase {
    private static final String A = "3f2a1c9b0d".repeat(6) + "abcd";
    private static final String B = "9be04417aa".repeat(6) + "abcd";
    private static final String EMPTY =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    VoteWidgetsTest() {
        super("IDLE vote test", 1100, 640);
    }

    private static Verification vote(int replicas, VoteState s, int agreeing, int results) {
        return new Verification(replicas, s, agreeing, results, ComparePart.ALL);
    }

    private static JobSummary job(long id, JobState state, Integer exit, Verification v) {
        return new JobSummary(id, "random.py", state, exit, null, "", state.isTerminal() ? "" : "amber-fox",
                1, 1000, 2000, state.isTerminal() ? 3000 : 0, 0, 0, 0, v);
    }

    @Test
    void theComposersChoiceIsKeptInTheSettingsAndAtLeastOnePartIsCompared(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("workbench.properties");
        SettingsStore settings = new SettingsStore(file).load();
        VerifyComposer composer = new VerifyComposer(shell, settings, background);
        shell.open();
        assertEquals(VerifyChoice.DEFAULT, composer.choice(), "the server's default unless chosen");
        composer.replicasCombo().select(3);
        composer.replicasCombo().notifyListeners(SWT.Selection, new Event());
        click(composer, ComparePart.STDOUT);
        click(composer, ComparePart.STDERR);
        click(composer, ComparePart.FILES);
        assertEquals(new VerifyChoice(3, Set.of(ComparePart.EXIT)), composer.choice());
        click(composer, ComparePart.EXIT);
        assertTrue(composer.compareBox(ComparePart.EXIT).getSelection(), "the last part stays ticked");
        click(composer, ComparePart.STDOUT);
        SwtTestSupport.screenshot(shell, "vote-composer");
        VerifyChoice chosen = new VerifyChoice(3, Set.of(ComparePart.EXIT, ComparePart.STDOUT));
        assertEquals(chosen, composer.choice());
        SwtTestSupport.spinUntil(display, Duration.ofSeconds(10), "the choice on disk", () -> {
            try {
                return Files.exists(file) && Files.readString(file).contains("submit.compare=exit,stdout");
            } catch (java.io.IOException e) {
                return false; // being replaced: read again
            }
        });
        Shell again = new Shell(display);
        try {
            VerifyComposer next = new VerifyComposer(again, new SettingsStore(file).load(), background);
            assertEquals(chosen, next.choice(), "the next run starts with the same choice");
            next.replicasCombo().select(1);
            next.replicasCombo().notifyListeners(SWT.Selection, new Event());
            assertFalse(next.compareBox(ComparePart.EXIT).isEnabled(), "nothing to compare when off");
            assertEquals(1, next.choice().replicas());
        } finally {
            again.dispose();
        }
    }

    private static void click(VerifyComposer composer, ComparePart part) {
        var box = composer.compareBox(part);
        box.setSelection(!box.getSelection());
        box.notifyListeners(SWT.Selection, new Event());
    }

    @Test
    void theHistorysVoteColumnShowsTheBadgeAndWarnsWithoutAMajority() throws Exception {
        JobEvents events = new JobEvents();
        var history = new idle.client.ui.views.HistoryView(shell, null, background, new Sessions(), resources,
                events, 50);
        shell.open();
        // the history takes in jobs it is told of while logged in; without a session it keeps its rows
        var viewer = history.viewer();
        List<JobSummary> rows = List.of(
                job(4, JobState.UNVERIFIED, null, vote(2, VoteState.UNVERIFIED, 1, 4)),
                job(3, JobState.SUCCEEDED, 0, vote(2, VoteState.VERIFIED, 2, 3)),
                job(2, JobState.RUNNING, null, vote(2, VoteState.PENDING, 1, 1)),
                job(1, JobState.SUCCEEDED, 0, Verification.NONE));
        viewer.setInput(rows);
        Table table = viewer.getTable();
        int col = SwtTestSupport.column(table, "Vote");
        assertEquals("no majority", table.getItem(0).getText(col));
        assertSame(resources.image(Icons.WARNING), table.getItem(0).getImage(col));
        assertEquals(resources.warningBackground(), table.getItem(0).getBackground(col));
        assertEquals("2 of 3", table.getItem(1).getText(col));
        assertSame(resources.image(Icons.VERIFIED), table.getItem(1).getImage(col));
        assertEquals(resources.success(), table.getItem(1).getForeground(col));
        assertEquals("vote 1/2", table.getItem(2).getText(col));
        assertSame(resources.image(Icons.VOTE_PENDING), table.getItem(2).getImage(col));
        assertEquals("", table.getItem(3).getText(col));
        assertNull(table.getItem(3).getImage(col));
        assertEquals("Unverified", table.getItem(0).getText(SwtTestSupport.column(table, "State")));
    }

    @Test
    void anOutputTabWaitsForTheVoteThenShowsTheReplicasSideBySide() throws Exception {
        JobFeeds feeds = new JobFeeds();
        JobEvents events = new JobEvents();
        feeds.writableFeed(9, new Object());
        OutputTabs tabs = new OutputTabs(shell, new UiThread(display), background, new Sessions(), resources,
                feeds, events, job -> { }, 1_000_000);
        OutputTab tab = tabs.open(9, "random.py", true);
        shell.open();
        assertFalse(tab.vote().line().getVisible(), "no vote line for a job not (yet) known verified");

        events.publish(job(9, JobState.RUNNING, null, vote(2, VoteState.PENDING, 1, 1)));
        assertTrue(tab.vote().line().getVisible());
        assertTrue(tab.vote().line().getText().startsWith("Waiting for the vote: 1 of 2 results in."),
                tab.vote().line().getText());
        assertSame(resources.image(Icons.VOTE_PENDING), tab.vote().line().getImage());

        Verification none = vote(2, VoteState.UNVERIFIED, 1, 4);
        events.publish(job(9, JobState.UNVERIFIED, null, none));
        assertTrue(tab.vote().line().getText().startsWith("No majority: the 4 lenders' results disagree"));
        assertSame(resources.image(Icons.WARNING), tabs.folder().getItem(0).getImage());
        List<ReplicaResult> replicas = List.of(
                new ReplicaResult("amber-fox", JobState.SUCCEEDED, 0, null, A, EMPTY,
                        List.of(new OutputFileInfo("out.csv", 120, A)), false, List.of()),
                new ReplicaResult("brisk-owl", JobState.SUCCEEDED, 0, null, B, EMPTY,
                        List.of(new OutputFileInfo("out.csv", 120, A)), false,
                        List.of("stdout differs at line 1: '0.8444218515250481' / '0.7579544029403025'")),
                new ReplicaResult("calm-heron", JobState.SUCCEEDED, 0, null, "7".repeat(64), EMPTY,
                        List.of(new OutputFileInfo("out.csv", 120, A)), false,
                        List.of("stdout differs at line 1: '0.8444218515250481' / '0.4205715808308452'")),
                new ReplicaResult("dusky-lynx", JobState.FAILED, 1, null, "5".repeat(64), B,
                        List.of(), false, List.of("exit code differs: 1 / 0",
                        "stdout differs at line 1: '0.8444218515250481' / ''", "file out.csv missing")));
        assertTrue(tab.vote().showReplicas(none, replicas));
        var sash = (org.eclipse.swt.custom.SashForm) tab.vote().control().getParent().getParent();
        sash.setMaximizedControl(null); // as the tab does with the job's details
        sash.setWeights(15, 85);
        SwtTestSupport.spinUntil(display, Duration.ofSeconds(10), "the tab's note", () -> tab.text().getText()
                .contains("no output: the lenders' results disagree"));
        Table table = tab.vote().viewer().getTable();
        assertEquals(4, table.getItemCount());
        assertEquals("brisk-owl", table.getItem(1).getText(0));
        assertEquals("9be04417aa", table.getItem(1).getText(2));
        assertEquals(resources.failure(), table.getItem(1).getForeground(2), "the differing stdout is marked");
        assertFalse(resources.failure().equals(table.getItem(1).getForeground(3)), "the same stderr is not");
        assertEquals("(empty)", table.getItem(0).getText(3));
        assertEquals("exit 1", table.getItem(3).getText(1));
        assertEquals("no", table.getItem(3).getText(5));
        String diff = tab.vote().differencesText();
        assertTrue(diff.contains("“dusky-lynx”: file out.csv missing"), diff);
        assertTrue(tab.vote().showsReplicas(), "the panel shows in the tab");
        SwtTestSupport.screenshot(shell, "vote-replicas");

        // a unanimous vote has nothing to put side by side
        assertFalse(tab.vote().showReplicas(vote(2, VoteState.VERIFIED, 2, 2), replicas.subList(0, 2)));
        assertFalse(tab.vote().showsReplicas());
    }
}
