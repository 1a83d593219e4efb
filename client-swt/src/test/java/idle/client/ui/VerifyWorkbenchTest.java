package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.lender.JobLog;
import idle.client.lender.LenderAgent;
import idle.client.lender.LenderSettings;
import idle.client.lender.PythonInterpreter;
import idle.client.lender.Sandbox;
import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.client.testing.SandboxRequirement;
import idle.client.ui.model.JobRow;
import idle.client.ui.model.VerifyChoice;
import idle.client.ui.resources.Icons;
import idle.client.ui.service.AgentLending;
import idle.client.ui.service.ServicesSession;
import idle.client.ui.service.SessionOpener;
import idle.client.ui.views.OutputTab;
import idle.server.IdleServer;
import idle.shared.model.ComparePart;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.VoteState;
import idle.shared.tls.ServerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Verified jobs (issue 13) from the real workbench, end to end: a real server, real lenders of
 * different accounts (the client services' LenderAgent in its bubblewrap sandbox), the runner
 * alice submitting from the queue with "Verify on 2 lenders". A deterministic script ends with
 * the verified badge in the queue and history tables and "verified" in the status line; a script
 * that prints random numbers, comparing stdout, ends with no majority: a warning in the tables,
 * and the replicas side by side with their differences in its output tab. Screenshots:
 * target/screenshots/verify-badge.png, verify-history.png, verify-no-majority.png.
 *
 * <p>Needs the server side of issue 13 (replicas and votes; branch {@code verify}).
 */
@Timeout(300)
class VerifyWorkbenchTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static Display display;
    private static ServerIdentity identity;

    private IdleServer server;
    private Path home;
    private IdleWorkbench workbench;
    private final List<AutoCloseable> lenders = new ArrayList<>();

    @BeforeAll
    static void display() throws Exception {
        SandboxRequirement.requireBubblewrap();
        display = Display.getDefault();
        identity = ServerIdentity.generate();
    }

    @BeforeEach
    void startServer(TestInfo test) throws Exception {
        home = E2eServer.home(test.getTestMethod().orElseThrow().getName());
        server = E2eServer.start(home, identity, PASSWORD,
                List.of("alice", "bob", "carol", "dave", "erin"));
    }

    @AfterEach
    void stopAll() {
        if (workbench != null) {
            workbench.dispose();
        }
        SwtTestSupport.drainEvents(display);
        for (int i = lenders.size() - 1; i >= 0; i--) {
            try {
                lenders.get(i).close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        if (server != null) {
            server.close();
        }
    }

    /** A real lender as {@code user} (its own account): connection, sandbox and agent, started. */
    private void lend(String user) throws Exception {
        Path data = Files.createDirectories(home.resolve(user));
        ServerConnection c = ServerConnection.connect(ServerAddress.parse(address()),
                new Credentials(user, PASSWORD.toCharArray()),
                ConnectionOptions.defaults().withKnownServers(data.resolve("known_servers")), null);
        lenders.add(c);
        Sandbox sandbox = Sandbox.create(LenderSettings.defaults(data).withMaxJobs(1)
                .withWorkRoot(home.resolve(user + "-work")), PythonInterpreter.locate(null));
        lenders.add(sandbox);
        LenderAgent agent = new LenderAgent(c, sandbox, new JobLog(data), null);
        lenders.add(agent);
        agent.start().get(30, TimeUnit.SECONDS);
    }

    private String address() {
        return server.host() + ":" + server.port();
    }

    private WorkbenchWindow window() {
        return workbench.window();
    }

    private void openLoggedIn(int lendersOnline) {
        Path clientDir = home.resolve("client");
        SessionOpener opener = ServicesSession.opener((address, user, password) ->
                new AgentLending(address, user, password, clientDir));
        workbench = new IdleWorkbench(display, IdleWorkbench.Options.of(clientDir)
                .withLogin(address(), "alice", PASSWORD.toCharArray()), opener);
        workbench.open();
        window().getShell().setBounds(0, 0, 1270, 1000);
        spin("the scripted login", () -> window().sessions().isLoggedIn());
        spin("the pool to count the lenders",
                () -> window().statusField("lenders").equals("Lenders online: " + lendersOnline));
    }

    private void spin(String what, java.util.function.BooleanSupplier condition) {
        try {
            SwtTestSupport.spinUntil(display, WAIT, what, condition);
        } catch (AssertionError e) {
            try {
                SwtTestSupport.screenshot(window().getShell(), "FAILED-verify-" + what.replaceAll("\\W+", "-"));
            } catch (Exception ignored) {
                // the failure matters more
            }
            throw e;
        }
    }

    /** Submits {@code script} from the queue with {@code choice}; its row. */
    private JobRow submit(Path script, VerifyChoice choice) {
        window().showView(0);
        var queue = window().queue();
        queue.verifyComposer().select(choice);
        queue.addScripts(List.of(script));
        assertTrue(queue.submitPending());
        JobRow row = (JobRow) queue.jobsViewer().getElementAt(queue.jobsViewer().getTable().getItemCount() - 1);
        assertEquals(choice.replicas(), row.request().verify(), "the choice reaches the request");
        assertEquals(choice.compare(), row.request().compare());
        return row;
    }

    @Test
    void aJobVerifiedOnTwoLendersEndsWithTheBadge() throws Exception {
        lend("bob");
        lend("carol");
        openLoggedIn(2);
        Path script = Files.writeString(Files.createDirectories(home.resolve("scripts")).resolve("squares.py"), """
                for i in range(1, 6):
                    print(i, i * i, flush=True)
                with open("squares.txt", "w") as f:
                    f.write(",".join(str(i * i) for i in range(10)))
                """);
        JobRow row = submit(script, new VerifyChoice(2, ComparePart.ALL));
        Table table = window().queue().jobsViewer().getTable();
        int vote = SwtTestSupport.column(table, "Vote");
        spin("the job to be accepted", () -> row.jobId() != 0);
        // "vote 0/2" from the start (or already "2/2 ✓" on a fast machine): never empty
        assertFalse(table.getItem(0).getText(vote).isEmpty(), "the vote shows from the start");
        spin("the verified job to end", row::isDone);
        JobSummary done = row.summary();
        assertEquals(JobState.SUCCEEDED, done.state(), row.note());
        assertEquals(VoteState.VERIFIED, done.verification().state());
        assertEquals("2/2 ✓", table.getItem(0).getText(vote));
        assertSame(window().resources().image(Icons.VERIFIED), table.getItem(0).getImage(vote), "the badge");
        assertTrue(row.note().contains("verified: 2 of 2 lenders agree"), row.note());
        assertTrue(window().statusField("message").contains("verified"), window().statusField("message"));

        OutputTab tab = window().outputs().tab(row.jobId()).orElseThrow();
        spin("the winner's output", () -> tab.text().getText().contains("5 25"));
        assertTrue(tab.vote().line().getText().startsWith("Verified: 2 of 2 lenders agree"),
                tab.vote().line().getText());
        spin("its files", () -> tab.files().viewer().getTable().getItemCount() == 1);
        assertFalse(tab.vote().showsReplicas(), "nothing to put side by side when all agree");
        SwtTestSupport.screenshot(window().getShell(), "verify-badge");

        window().showView(1);
        window().history().reload();
        Table history = window().history().viewer().getTable();
        spin("the history's row", () -> history.getItemCount() == 1);
        int historyVote = SwtTestSupport.column(history, "Vote");
        assertEquals("2/2 ✓", history.getItem(0).getText(historyVote));
        assertSame(window().resources().image(Icons.VERIFIED), history.getItem(0).getImage(historyVote));
        SwtTestSupport.screenshot(window().getShell(), "verify-history");
    }

    /**
     * Random numbers on stdout never agree: the server adds replicas up to its limit (N + 2 by
     * default, each on another account: four lenders here) and ends the job without a majority.
     */
    @Test
    void randomOutputComparedOnStdoutEndsWithNoMajorityAndTheReplicasSideBySide() throws Exception {
        for (String user : List.of("bob", "carol", "dave", "erin")) {
            lend(user);
        }
        openLoggedIn(4);
        Path script = Files.writeString(Files.createDirectories(home.resolve("scripts")).resolve("random.py"), """
                import os
                print("a random number:", int.from_bytes(os.urandom(8), "big"), flush=True)
                """);
        JobRow row = submit(script, new VerifyChoice(2, Set.of(ComparePart.STDOUT)));
        Table table = window().queue().jobsViewer().getTable();
        int vote = SwtTestSupport.column(table, "Vote");
        spin("the vote to end", row::isDone);
        assertEquals(JobState.UNVERIFIED, row.summary().state(), row.note());
        assertEquals("no majority", table.getItem(0).getText(vote));
        assertSame(window().resources().image(Icons.WARNING), table.getItem(0).getImage(vote));
        assertEquals(window().resources().warningBackground(), table.getItem(0).getBackground(vote));
        assertTrue(row.note().startsWith("No majority"), row.note());
        assertTrue(window().statusField("message").contains("No majority"), window().statusField("message"));

        OutputTab tab = window().outputs().tab(row.jobId()).orElseThrow();
        spin("the replicas side by side", () -> tab.vote().showsReplicas());
        assertTrue(tab.vote().line().getText().startsWith("No majority"), tab.vote().line().getText());
        Table replicas = tab.vote().viewer().getTable();
        int results = row.summary().verification().results();
        assertTrue(results >= 3, "the server added replicas on disagreement: " + results);
        assertEquals(results, replicas.getItemCount());
        for (int i = 0; i < replicas.getItemCount(); i++) {
            assertEquals("exit 0", replicas.getItem(i).getText(1));
            assertEquals("no", replicas.getItem(i).getText(5));
        }
        assertTrue(tab.vote().differencesText().contains("stdout differs at line 1"), tab.vote().differencesText());
        SwtTestSupport.screenshot(window().getShell(), "verify-no-majority");
    }
}
