package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.ui.dialogs.LoginDialog;
import idle.client.ui.model.JobRow;
import idle.client.ui.service.AgentLending;
import idle.client.ui.service.ServicesSession;
import idle.client.ui.service.SessionOpener;
import idle.client.ui.views.OutputTab;
import idle.server.IdleServer;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.tls.ServerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.StyleRange;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.TableItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The real workbench against a real server started in this JVM, with a real lender (the client
 * services' LenderAgent in its bubblewrap sandbox, started from the workbench's own "Become
 * IDLEr" toggle or its Lend menu). Each test is one step of a user's afternoon (log in with a
 * wrong password first, submit with nobody lending (NLA), lend, queue three scripts, cancel and
 * re-run, restart the workbench and look at the history, drive it from the menus) and brings
 * what it needs itself: a fresh server, client directory and workbench per test, logged in, with
 * a lender and finished jobs where the step needs them, so any test runs alone
 * ({@code -Dtest=WorkbenchE2eTest#method}) and in any order. Each saves a screenshot under
 * target/screenshots/.
 */
class WorkbenchE2eTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Display display;
    /** One TLS key for every server of this class, so the client's pin file never sees a change. */
    private static ServerIdentity identity;

    private IdleServer server;
    private Path home;
    private Path scripts;
    private SessionOpener opener;
    private IdleWorkbench workbench;

    @BeforeAll
    static void display() throws Exception {
        display = Display.getDefault();
        identity = ServerIdentity.generate();
    }

    @BeforeEach
    void startServer(TestInfo test) throws Exception {
        home = E2eServer.home(test.getTestMethod().orElseThrow().getName());
        server = E2eServer.start(home, identity, PASSWORD, List.of("alice"));
        scripts = Files.createDirectories(home.resolve("scripts"));
        script("hello.py", """
                import sys
                name = sys.argv[1] if len(sys.argv) > 1 else "nobody"
                for i in range(1, 6):
                    print(f"hello {name} {i}", flush=True)
                print("careful: this goes to stderr", file=sys.stderr, flush=True)
                print("bye", flush=True)
                """);
        script("fail.py", """
                import sys
                print("about to fail")
                print("Traceback (most recent call last):\\nValueError: boom", file=sys.stderr)
                sys.exit(3)
                """);
        script("files.py", """
                with open("seed.txt") as f:
                    seed = f.read().strip()
                with open("result.txt", "w") as f:
                    f.write(seed + "\\n")
                print("wrote result.txt")
                """);
        Files.writeString(scripts.resolve("seed.txt"), "42\n");
        script("quick.py", "print('quick and done')\n");
        script("slow.py", """
                import time
                for i in range(1, 120):
                    print(f"tick {i}", flush=True)
                    time.sleep(0.25)
                """);
        Path clientDir = home.resolve("client");
        opener = ServicesSession.opener((address, user, password) -> new AgentLending(address, user, password,
                clientDir));
    }

    private Path script(String name, String source) throws Exception {
        return Files.writeString(scripts.resolve(name), source);
    }

    @AfterEach
    void stopAll() {
        if (workbench != null) {
            workbench.dispose(); // logs out, stops lending
        }
        SwtTestSupport.drainEvents(display);
        if (server != null) {
            server.close();
        }
    }

    private String address() {
        return server.host() + ":" + server.port();
    }

    private WorkbenchWindow window() {
        return workbench.window();
    }

    /** A workbench logged in as alice the scripted way (no dialog), as {@code idle gui --server H:P --user alice}. */
    private void openLoggedIn() {
        workbench = new IdleWorkbench(display, options(address(), "alice", PASSWORD.toCharArray()), opener);
        workbench.open();
        spin("the scripted login", () -> window().sessions().isLoggedIn());
    }

    /** Turns lending on with the Lender view's toggle and waits until the server counts the lender. */
    private void startLendingWithTheToggle() {
        window().showView(2);
        var lender = window().lender();
        spin("the toggle to be enabled", () -> lender.toggle().isEnabled());
        spin("the sandbox description", () -> lender.control().isDisposed()
                || !findLabelText(lender.control()).contains("Log in"));
        lender.toggle().setSelection(true);
        lender.toggle().notifyListeners(SWT.Selection, new Event());
        spin("lending to start", lender::isLending);
        spin("the status line to say lending", () -> window().statusField("lending").equals("Lending: on"));
        spin("the pool to count one lender", () -> window().statusField("lenders").equals("Lenders online: 1"));
    }

    /**
     * Puts hello.py (argument "world"), fail.py and files.py (input seed.txt) in the queue's
     * pending list, as the Add Scripts, Arguments and Add Input Files controls do.
     */
    private void queueThree() {
        window().showView(0);
        var queue = window().queue();
        queue.addScripts(List.of(scripts.resolve("hello.py"), scripts.resolve("fail.py"),
                scripts.resolve("files.py")));
        queue.pendingViewer().getTable().setSelection(0);
        queue.pendingViewer().setSelection(new org.eclipse.jface.viewers.StructuredSelection(
                queue.pendingViewer().getElementAt(0)));
        queue.argsText().setText("world");
        queue.pendingViewer().setSelection(new org.eclipse.jface.viewers.StructuredSelection(
                queue.pendingViewer().getElementAt(2)));
        queue.addInputs(List.of(scripts.resolve("seed.txt"))); // what "Add input files…" does
    }

    /** Submits what is pending and waits until its {@code n} jobs ended; their rows, in order. */
    private List<JobRow> submitAndAwait(int n) {
        var queue = window().queue();
        int before = queue.jobsViewer().getTable().getItemCount();
        assertTrue(queue.submitPending());
        spin(n + " new rows", () -> queue.jobsViewer().getTable().getItemCount() == before + n);
        List<JobRow> rows = java.util.stream.IntStream.range(before, before + n).mapToObj(this::row).toList();
        spin("the jobs to end", () -> rows.stream().allMatch(JobRow::isDone));
        return rows;
    }

    /** hello.py, fail.py and files.py run to their end on a lender; their job ids. */
    private List<Long> runThree() {
        queueThree();
        return submitAndAwait(3).stream().map(JobRow::jobId).toList();
    }

    /** The rows {@code table} shows without scrolling (its client area is not that on GTK). */
    private static int visibleRows(org.eclipse.swt.widgets.Table table) {
        return (table.getSize().y - table.getHeaderHeight()) / table.getItemHeight();
    }

    private void spin(String what, java.util.function.BooleanSupplier condition) {
        try {
            SwtTestSupport.spinUntil(display, WAIT, what, condition);
        } catch (AssertionError e) {
            try {
                SwtTestSupport.screenshot(window().getShell(), "FAILED-" + what.replaceAll("\\W+", "-"));
            } catch (Exception ignored) {
                // the failure matters more
            }
            throw e;
        }
    }

    private IdleWorkbench.Options options(String server, String user, char[] password) {
        // Two jobs a page, so that paging is exercised with the few jobs of this test.
        return IdleWorkbench.Options.of(home.resolve("client")).withLogin(server, user, password).withHistoryPage(2);
    }

    @Test
    void logsInThroughTheDialogShowingErrorsInIt() throws Exception {
        workbench = new IdleWorkbench(display, options(null, null, null), opener);
        workbench.open();
        LoginDialog dialog = window().loginDialog();
        assertNotNull(dialog, "the login dialog opens with the window");

        // Nobody listens there: the dialog says so, plainly.
        int closedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        dialog.serverField().setText("127.0.0.1:" + closedPort);
        dialog.userField().setText("alice");
        dialog.passwordField().setText(PASSWORD);
        dialog.logIn();
        spin("the unreachable server to be reported", () -> dialog.error() != null);
        assertTrue(dialog.error().startsWith("Cannot reach") && dialog.error().contains("127.0.0.1:" + closedPort),
                dialog.error());
        SwtTestSupport.screenshot(dialog.getShell(), "login-unreachable");

        // A server that accepts but never answers: the login can be cancelled while it waits.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            dialog.serverField().setText("127.0.0.1:" + silent.getLocalPort());
            dialog.logIn();
            assertTrue(dialog.isLoggingIn());
            assertFalse(dialog.serverField().isEnabled(), "the fields wait while logging in");
            SwtTestSupport.screenshot(dialog.getShell(), "login-in-progress");
            dialog.cancel();
            assertFalse(dialog.isLoggingIn());
            assertTrue(dialog.serverField().isEnabled());
            assertNotNull(window().loginDialog(), "the first Cancel stops the login, not the dialog");
        }

        dialog.serverField().setText(address());
        dialog.userField().setText("alice");
        dialog.passwordField().setText("not the password");
        dialog.logIn();
        spin("the wrong password to be refused", () -> dialog.error() != null);
        assertEquals("Wrong user name or password.", dialog.error());
        assertFalse(window().sessions().isLoggedIn());
        SwtTestSupport.screenshot(dialog.getShell(), "login-wrong-password");

        dialog.passwordField().setText(PASSWORD);
        dialog.logIn();
        spin("the login", () -> window().sessions().isLoggedIn());
        spin("the status line to say connected", () -> window().statusField("connection").startsWith("Connected"));
        assertEquals("alice", window().sessions().current().user());
        assertTrue(Files.readString(home.resolve("client/login.properties")).contains("login.user=alice"),
                "server and user are remembered");
        assertFalse(Files.readString(home.resolve("client/login.properties")).contains(PASSWORD),
                "the password is not");
        SwtTestSupport.screenshot(window().getShell(), "logged-in");
    }

    @Test
    void showsTheNlaReasonWhenNobodyLends() throws Exception {
        openLoggedIn();
        window().showView(0);
        window().queue().addScripts(List.of(scripts.resolve("quick.py")));
        assertTrue(window().queue().submitPending());
        JobRow row = window().queue().jobsViewer().getTable().getItem(0).getData() instanceof JobRow r ? r : null;
        assertNotNull(row);
        spin("the server's NLA", () -> row.phase() == JobRow.Phase.REJECTED);
        assertTrue(row.note().startsWith("Not accepted: "), row.note());
        assertTrue(window().queue().bannerText().contains("quick.py was not accepted"), window().queue().bannerText());
        assertEquals("Not accepted", cell(0, 2));
        SwtTestSupport.screenshot(window().getShell(), "queue-nla-nobody-lending");
    }

    @Test
    void theLenderToggleServesAJob() throws Exception {
        openLoggedIn();
        startLendingWithTheToggle();
        var lender = window().lender();
        window().queue().addScripts(List.of(scripts.resolve("quick.py")));
        window().queue().submitPending();
        spin("the lender to serve the job", () -> lender.served() == 1);
        assertTrue(lender.logText().contains("quick.py"), lender.logText());
        assertTrue(lender.countersText().contains("Jobs served: 1"), lender.countersText());
        // issue 13: the server tells the account its credit (CRD) and the panel shows it; the job
        // ran alone and unchecked, so it counts as one accepted result
        spin("the credit line", () -> lender.creditText().contains("from 1 accepted result"));
        assertTrue(lender.creditText().startsWith("credit: "), lender.creditText());
        window().showView(2);
        SwtTestSupport.screenshot(window().getShell(), "lender-serving");
    }

    /**
     * Issue 14: the queue shows each script's packages before it is submitted, and whether
     * online lenders offer them (the pool view shows only what lenders of two people offer: here
     * the workbench's own lender and bob's, both with Debian's numpy).
     */
    @Test
    void showsEachQueuedScriptsNeedsAndWhetherLendersOfferThem() throws Exception {
        server.accounts().addUser("bob", PASSWORD.toCharArray(), false);
        openLoggedIn();
        startLendingWithTheToggle();
        Path bobData = Files.createDirectories(home.resolve("bob"));
        try (var bob = idle.client.net.ServerConnection.connect(
                idle.client.net.ServerAddress.parse(address()),
                new idle.client.net.Credentials("bob", PASSWORD.toCharArray()),
                idle.client.net.ConnectionOptions.defaults()
                        .withKnownServers(bobData.resolve("known_servers")), null);
                var sandbox = idle.client.lender.Sandbox.create(
                        idle.client.lender.LenderSettings.defaults(bobData)
                                .withWorkRoot(home.resolve("bob-work")),
                        idle.client.lender.PythonInterpreter.locate(null));
                var agent = new idle.client.lender.LenderAgent(bob, sandbox,
                        new idle.client.lender.JobLog(bobData), null)) {
            agent.start().get(30, java.util.concurrent.TimeUnit.SECONDS);
            script("needs.py", """
                    import numpy as np
                    from nosuchmod_idle.sub import thing
                    try:
                        import ujson as json
                    except ImportError:
                        import json
                    """);
            window().showView(0);
            var queue = window().queue();
            queue.addScripts(List.of(scripts.resolve("needs.py"), scripts.resolve("quick.py")));
            var table = queue.pendingViewer().getTable();
            spin("the needs against the pool view", () -> table.getItem(0).getText(4)
                    .equals("numpy (2 lenders), nosuchmod_idle (not seen)"));
            assertEquals("none (standard library only)", table.getItem(1).getText(4));
            SwtTestSupport.screenshot(window().getShell(), "queue-needs");

            assertTrue(queue.submitPending());
            JobRow rejected = row(0);
            spin("the server's NLA naming the missing package",
                    () -> rejected.phase() == JobRow.Phase.REJECTED);
            assertTrue(rejected.note().contains("no lender offers nosuchmod_idle"), rejected.note());
            spin("quick.py to run", () -> row(1).isDone());
        }
    }

    @Test
    void queuesThreeScriptsAndStreamsTheirOutput() throws Exception {
        openLoggedIn();
        startLendingWithTheToggle();
        queueThree();
        var queue = window().queue();
        assertEquals("world", queue.pendingViewer().getTable().getItem(0).getText(2));
        assertEquals("seed.txt", queue.pendingViewer().getTable().getItem(2).getText(3));
        // the default layout of a new user's window on a display of 1400 x 900 (the test
        // command's Xvfb) shows the three scripts, and then the three jobs, without scrolling
        var screen = display.getPrimaryMonitor().getClientArea();
        boolean testDisplay = screen.width >= 1400 && screen.height >= 900;
        assertTrue(!testDisplay || visibleRows(queue.pendingViewer().getTable()) >= 3,
                "scripts shown: " + visibleRows(queue.pendingViewer().getTable()));
        int before = queue.jobsViewer().getTable().getItemCount();
        List<JobRow> rows = submitAndAwait(3);
        assertTrue(!testDisplay || visibleRows(queue.jobsViewer().getTable()) >= 3,
                "jobs shown: " + visibleRows(queue.jobsViewer().getTable()));
        List<Long> threeJobs = rows.stream().map(JobRow::jobId).toList();

        assertEquals(List.of("hello.py", "fail.py", "files.py"), rows.stream().map(JobRow::scriptName).toList());
        assertEquals(List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.SUCCEEDED),
                rows.stream().map(r -> r.summary().state()).toList());
        assertEquals("Succeeded", cell(before, 2));
        assertEquals("Failed", cell(before + 1, 2));
        assertEquals("0", cell(before, 5));
        assertEquals("3", cell(before + 1, 5));
        assertEquals("Exited with code 3", cell(before + 1, SwtTestSupport.column(queue.jobsViewer().getTable(), "Note")));
        String pseudonym = rows.get(0).summary().lender();
        assertFalse(pseudonym.isEmpty(), "the lender's pseudonym is shown");
        assertEquals(pseudonym, cell(before, 3));
        assertTrue(threeJobs.get(0) < threeJobs.get(1) && threeJobs.get(1) < threeJobs.get(2),
                "submitted in the order of the list");
        queue.jobsViewer().getTable().setSelection(before, before + 2);
        SwtTestSupport.screenshot(window().getShell(), "queue-three-jobs");

        OutputTab hello = window().outputs().tab(threeJobs.get(0)).orElseThrow();
        window().outputs().open(threeJobs.get(0), "hello.py", true);
        spin("hello's output", () -> hello.text().getText().contains("bye"));
        String text = hello.text().getText();
        for (int i = 1; i <= 5; i++) {
            assertTrue(text.contains("hello world " + i + "\n"), "whole lines, even between stderr: " + text);
        }
        int err = text.indexOf("careful: this goes to stderr");
        assertTrue(err >= 0, text); // stdout and stderr are separate pipes: their order may vary
        StyleRange style = hello.text().getStyleRangeAtOffset(err);
        assertNotNull(style, "stderr is styled");
        assertTrue(style.foreground.getRGB().red > 150 && style.foreground.getRGB().green < 60,
                "stderr is red: " + style.foreground.getRGB());
        assertEquals(null, hello.text().getStyleRangeAtOffset(text.indexOf("hello world 1")), "stdout is plain");
        Path all = home.resolve("hello-output.txt");
        window().sessions().current().saveOutput(threeJobs.get(0), all); // what "Save output…" does
        String fullOutput = Files.readString(all);
        assertTrue(fullOutput.contains("hello world 5") && fullOutput.contains("careful: this goes to stderr"), fullOutput);
        SwtTestSupport.screenshot(window().getShell(), "output-tab-stdout-stderr");

        OutputTab files = window().outputs().open(threeJobs.get(2), "files.py", true);
        spin("the output files list", () -> files.files().viewer().getTable().getItemCount() == 1);
        assertEquals("result.txt", files.files().viewer().getTable().getItem(0).getText(0));
        if (testDisplay) {
            spin("the file's row in view", () -> visibleRows(files.files().viewer().getTable()) >= 1);
        }
        Path saved = home.resolve("saved-result.txt");
        window().sessions().current().saveOutputFile(threeJobs.get(2), "result.txt", saved);
        assertEquals("42\n", Files.readString(saved));
        SwtTestSupport.screenshot(window().getShell(), "output-tab-files");
        window().outputs().open(threeJobs.get(0), "hello.py", true);
    }

    @Test
    void cancelsARunningJobAndReRunsAnother() throws Exception {
        openLoggedIn();
        startLendingWithTheToggle();
        window().showView(0);
        var queue = window().queue();
        queue.addScripts(List.of(scripts.resolve("fail.py")));
        JobRow failed = submitAndAwait(1).get(0);
        queue.addScripts(List.of(scripts.resolve("slow.py")));
        int before = queue.jobsViewer().getTable().getItemCount();
        queue.submitPending();
        spin("the slow job's row", () -> queue.jobsViewer().getTable().getItemCount() == before + 1);
        JobRow slow = row(before);
        try {
            spin("the slow job to run", () -> slow.summary() != null && slow.summary().state() == JobState.RUNNING
                    && window().outputs().tab(slow.jobId()).map(t -> t.text().getText().contains("tick 1")).orElse(false));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + slow.phase() + " " + slow.summary() + " "
                    + window().outputs().tab(slow.jobId()).map(t -> t.text().getText()).orElse("(no tab)")
                    + " lender log: " + window().lender().logText(), e);
        }
        queue.jobsViewer().setSelection(new org.eclipse.jface.viewers.StructuredSelection(slow));
        window().actions().cancel.run(); // Jobs > Cancel Job (Ctrl+Shift+X)
        spin("the job to be cancelled", () -> slow.isDone());
        assertEquals(JobState.CANCELLED, slow.summary().state());
        assertEquals("Cancelled", cell(before, 2));

        assertEquals("fail.py", failed.scriptName());
        queue.jobsViewer().setSelection(new org.eclipse.jface.viewers.StructuredSelection(failed));
        window().actions().rerun.run(); // Jobs > Re-run (Ctrl+Shift+R)
        spin("the re-run's row", () -> queue.jobsViewer().getTable().getItemCount() == before + 2);
        JobRow again = row(before + 1);
        spin("the re-run to end", again::isDone);
        assertEquals("fail.py", again.scriptName());
        assertEquals(JobState.FAILED, again.summary().state());
        assertTrue(again.jobId() > failed.jobId());
        SwtTestSupport.screenshot(window().getShell(), "queue-cancel-and-rerun");
    }

    @Test
    void theHistoryIsThereAfterARestart() throws Exception {
        openLoggedIn();
        startLendingWithTheToggle();
        List<Long> threeJobs = runThree();
        window().queue().addScripts(List.of(scripts.resolve("quick.py")));
        submitAndAwait(1);
        List<Long> openTabs = window().outputs().openJobIds();
        assertTrue(openTabs.containsAll(threeJobs), openTabs.toString());
        window().showView(1);
        window().getShell().setSize(1180, 800);
        SwtTestSupport.drainEvents(display);
        workbench.dispose(); // saves the layout, logs out, stops lending
        SwtTestSupport.drainEvents(display);

        // Scripted login, as `IDLE_PASSWORD=... idle gui --server H:P --user alice` does.
        workbench = new IdleWorkbench(display, options(address(), "alice", PASSWORD.toCharArray())
                .withScripts(List.of(scripts.resolve("hello.py"), scripts.resolve("files.py"))), opener);
        workbench.open();
        assertEquals(2, window().queue().pendingViewer().getTable().getItemCount(),
                "scripts given on the command line wait in the queue, ready to submit");
        assertEquals(null, window().loginDialog(), "no dialog for a scripted login");
        spin("the scripted login", () -> window().sessions().isLoggedIn());
        assertEquals(1, window().views().getSelectionIndex(), "the view in front is restored");
        assertEquals(openTabs, window().outputs().openJobIds(), "the open output tabs are restored");
        assertEquals(new org.eclipse.swt.graphics.Point(1180, 800), window().getShell().getSize(),
                "the window's size is restored");
        var history = window().history();
        spin("the first page", () -> !history.isLoading() && history.rows().size() == 2);
        assertTrue(history.hasMore(), "two a page: older jobs wait on the server");
        while (history.hasMore()) {
            int had = history.rows().size();
            history.loadMore(); // what scrolling to the end does
            spin("the next page", () -> !history.isLoading() && history.rows().size() > had);
        }
        List<JobSummary> rows = history.rows();
        assertEquals(4, rows.size(), "hello, fail, files, quick");
        long newest = rows.stream().mapToLong(JobSummary::jobId).max().orElseThrow();
        assertEquals(Long.toString(newest), history.viewer().getTable().getItem(0).getText(0), "newest first");
        assertEquals("quick.py", history.viewer().getTable().getItem(0).getText(1));
        spin("the restored tab to replay its output", () -> window().outputs().tab(threeJobs.get(0))
                .map(t -> t.text().getText().contains("bye")).orElse(false));
        SwtTestSupport.screenshot(window().getShell(), "history-after-restart");

        history.stateFilter().select(1 + JobState.FAILED.ordinal());
        history.stateFilter().notifyListeners(SWT.Selection, new Event());
        spin("the failed jobs only", () -> !history.isLoading() && history.rows().size() == 1 && !history.hasMore());
        assertTrue(history.rows().stream().allMatch(j -> j.scriptName().equals("fail.py")));
        history.stateFilter().select(0);
        history.nameFilter().setText("py");
        history.nameFilter().notifyListeners(SWT.DefaultSelection, new Event());
        spin("the jobs named like it", () -> !history.isLoading() && history.rows().size() == 2);
        while (history.hasMore()) {
            int had = history.rows().size();
            history.loadMore();
            spin("the next page", () -> !history.isLoading() && history.rows().size() > had);
        }
        assertEquals(4, history.rows().size());

        // Double-click a job in the history: its output opens (replayed from the server).
        window().outputs().tab(threeJobs.get(1)).ifPresent(t -> {
            window().outputs().open(threeJobs.get(1), "fail.py", true);
            window().outputs().closeSelected();
        });
        assertFalse(window().outputs().tab(threeJobs.get(1)).isPresent());
        var table = history.viewer().getTable();
        int index = java.util.stream.IntStream.range(0, table.getItemCount())
                .filter(i -> table.getItem(i).getText(0).equals(Long.toString(threeJobs.get(1)))).findFirst().orElseThrow();
        table.setSelection(index);
        Event dbl = new Event();
        dbl.item = table.getItem(index);
        table.notifyListeners(SWT.DefaultSelection, dbl);
        spin("the double-clicked job's output", () -> window().outputs().tab(threeJobs.get(1))
                .map(t -> t.text().getText().contains("ValueError: boom")).orElse(false));

        // Sort by script name by clicking the column header.
        history.viewer().getTable().getColumn(1).notifyListeners(SWT.Selection, new Event());
        List<String> names = java.util.Arrays.stream(history.viewer().getTable().getItems())
                .map(i -> i.getText(1)).toList();
        assertEquals(names.stream().sorted(Comparator.comparing(String::toLowerCase)).toList(), names);
        SwtTestSupport.screenshot(window().getShell(), "history-sorted-by-script");
    }

    @Test
    void everyShortcutIsInTheMenusAndTheKeyboardDrivesTabs() throws Exception {
        openLoggedIn();
        java.util.Set<Integer> accelerators = new java.util.HashSet<>();
        collect(window().getShell().getMenuBar(), accelerators);
        for (int key : new int[] {SWT.MOD1 | SWT.CR, SWT.MOD1 | SWT.SHIFT | 'X', SWT.MOD1 | 'W',
                SWT.MOD1 | SWT.PAGE_DOWN, SWT.MOD1 | SWT.PAGE_UP, SWT.MOD1 | 'F', SWT.MOD1 | 'O',
                SWT.MOD1 | SWT.SHIFT | 'R', SWT.MOD1 | 'S'}) {
            assertTrue(accelerators.contains(key), "a menu item has the accelerator " + Integer.toHexString(key));
        }

        // Lend > Lend This Computer (Ctrl+Shift+B) turns lending on and off, like the toggle.
        var lend = window().actions().lend;
        spin("lending to be possible", () -> window().lender().toggle().isEnabled());
        assertFalse(window().lender().isLending());
        lend.setChecked(true);
        lend.run();
        spin("lending on from the menu", () -> window().lender().isLending()
                && window().statusField("lending").equals("Lending: on"));
        assertTrue(window().lender().toggle().getSelection(), "the toggle follows the menu");
        spin("the pool to count one lender", () -> window().statusField("lenders").equals("Lenders online: 1"));
        List<Long> threeJobs = runThree();

        var outputs = window().outputs();
        int tabs = outputs.openJobIds().size();
        assertTrue(tabs >= 2, outputs.openJobIds().toString());
        // Drive the menu items that carry those accelerators (posted key events do not reach
        // the window under a bare Xvfb without a window manager).
        outputs.open(threeJobs.get(0), "hello.py", true);
        long first = outputs.selected().orElseThrow().jobId();
        menu("&View", "&Next Tab");
        assertTrue(outputs.selected().orElseThrow().jobId() != first, "Ctrl+PageDown shows the next tab");
        menu("&View", "&Previous Tab");
        assertEquals(first, outputs.selected().orElseThrow().jobId(), "Ctrl+PageUp shows the previous one");
        menu("&View", "&Find…");
        assertTrue(outputs.selected().orElseThrow().findBar().isVisible(), "Ctrl+F opens the find bar");
        outputs.selected().orElseThrow().findBar().query().setText("hello world 3");
        SwtTestSupport.drainEvents(display);
        assertEquals("hello world 3", outputs.selected().orElseThrow().text().getSelectionText());
        SwtTestSupport.screenshot(window().getShell(), "keyboard-find");
        menu("&View", "&Close Tab");
        assertEquals(tabs - 1, outputs.openJobIds().size(), "Ctrl+W closes the tab in front");

        lend.setChecked(false);
        lend.run();
        spin("lending off from the menu", () -> !window().lender().isLending()
                && window().statusField("lending").equals("Lending: off"));
        assertTrue(window().lender().logText().toLowerCase().contains("stopped lending"), window().lender().logText());
        SwtTestSupport.screenshot(window().getShell(), "keyboard-closed-a-tab");
    }

    /** Selects the menu item {@code item} of the menu bar's {@code menu}, as a click would. */
    private void menu(String menu, String item) {
        for (var top : window().getShell().getMenuBar().getItems()) {
            if (top.getText().equals(menu)) {
                for (var mi : top.getMenu().getItems()) {
                    if (mi.getText().startsWith(item)) {
                        mi.notifyListeners(SWT.Selection, new Event());
                        SwtTestSupport.drainEvents(display);
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no menu item " + menu + " > " + item);
    }

    private static void collect(org.eclipse.swt.widgets.Menu menu, java.util.Set<Integer> into) {
        if (menu == null) {
            return;
        }
        for (var item : menu.getItems()) {
            if (item.getAccelerator() != 0) {
                into.add(item.getAccelerator());
            }
            collect(item.getMenu(), into);
        }
    }

    private JobRow row(int index) {
        return (JobRow) window().queue().jobsViewer().getTable().getItem(index).getData();
    }

    private String cell(int row, int column) {
        TableItem item = window().queue().jobsViewer().getTable().getItem(row);
        return item.getText(column);
    }

    private static String findLabelText(org.eclipse.swt.widgets.Control c) {
        StringBuilder sb = new StringBuilder();
        if (c instanceof org.eclipse.swt.widgets.Label l) {
            sb.append(l.getText()).append('\n');
        }
        if (c instanceof org.eclipse.swt.widgets.Composite comp) {
            for (var child : comp.getChildren()) {
                sb.append(findLabelText(child));
            }
        }
        return sb.toString();
    }
}
