package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.testing.SandboxRequirement;
import idle.client.ui.model.PendingScript;
import idle.client.ui.model.SweepDraft;
import idle.client.ui.model.SweepRow;
import idle.client.ui.service.AgentLending;
import idle.client.ui.service.ServicesSession;
import idle.client.ui.service.SessionOpener;
import idle.server.IdleServer;
import idle.shared.model.JobSummary;
import idle.shared.tls.ServerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.TreeItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The workbench with sweeps (issue 15), end to end: a real server, the workbench's own lender
 * (the Lender view's toggle, the real sandbox), a script in the queue run as a sweep over a
 * parameter file. The sweep is one row in the queue whose progress bar and counts move as its
 * tasks end; expanded, it lists its tasks; a task opens in an output tab; the history shows the
 * sweep too. Screenshots: target/screenshots/sweep-progress.png (mid-way) and sweep-done.png.
 */
@Timeout(300)
class SweepWorkbenchTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static Display display;

    private IdleServer server;
    private IdleWorkbench workbench;

    @BeforeAll
    static void display() {
        SandboxRequirement.requireBubblewrap();
        display = Display.getDefault();
    }

    @AfterEach
    void stop() {
        if (workbench != null) {
            workbench.dispose();
        }
        SwtTestSupport.drainEvents(display);
        if (server != null) {
            server.close();
        }
    }

    private WorkbenchWindow window() {
        return workbench.window();
    }

    private void spin(String what, java.util.function.BooleanSupplier condition) {
        try {
            SwtTestSupport.spinUntil(display, WAIT, what, condition);
        } catch (AssertionError e) {
            try {
                SwtTestSupport.screenshot(window().getShell(), "FAILED-sweep-"
                        + what.replaceAll("\\W+", "-"));
            } catch (Exception ignored) {
                // the failure matters more
            }
            throw e;
        }
    }

    @Test
    void aSweepIsOneRowWhoseProgressMovesAndWhoseTasksOpenOnDemand() throws Exception {
        Path home = E2eServer.home("sweep");
        server = E2eServer.start(home, ServerIdentity.generate(), PASSWORD, List.of("alice"));
        Path scripts = Files.createDirectories(home.resolve("scripts"));
        Path sim = Files.writeString(scripts.resolve("simulate.py"), """
                import os, sys, time
                rate = float(sys.argv[1])
                for step in range(4):
                    print('rate', rate, 'step', step, flush=True)
                    time.sleep(0.4)
                if rate == 0.4:
                    print('diverged', file=sys.stderr)
                    sys.exit(2)
                print('task', os.environ['IDLE_TASK_INDEX'], 'of', os.environ['IDLE_TASK_COUNT'])
                """);
        Path params = scripts.resolve("rates.txt");
        StringBuilder p = new StringBuilder();
        for (int i = 1; i <= 16; i++) {
            p.append(i / 10.0).append('\n');
        }
        Files.writeString(params, p);
        Path clientDir = home.resolve("client");
        SessionOpener opener = ServicesSession.opener((address, user, password) ->
                new AgentLending(address, user, password, clientDir));
        workbench = new IdleWorkbench(display, IdleWorkbench.Options.of(clientDir)
                .withLogin(server.host() + ":" + server.port(), "alice", PASSWORD.toCharArray()),
                opener);
        workbench.open();
        window().getShell().setSize(1300, 880);
        spin("the scripted login", () -> window().sessions().isLoggedIn());
        // lend with the Lender view's toggle
        window().showView(2);
        var lender = window().lender();
        spin("the toggle to be enabled", () -> lender.toggle().isEnabled());
        lender.toggle().setSelection(true);
        lender.toggle().notifyListeners(SWT.Selection, new Event());
        spin("lending to start", lender::isLending);
        spin("the pool to count one lender",
                () -> window().statusField("lenders").equals("Lenders online: 1"));

        window().showView(0);
        var queue = window().queue();
        queue.addScripts(java.util.List.of(sim));
        PendingScript pending = (PendingScript) queue.pendingViewer().getElementAt(0);
        queue.submitSweep(pending, SweepDraft.Mode.EACH_LINE, params, 0);
        assertEquals(0, queue.pendingViewer().getTable().getItemCount(), "taken off the list");
        spin("the sweep's row", () -> queue.sweepsPanel() != null
                && queue.sweepsPanel().tree().getItemCount() == 1);
        var tree = queue.sweepsPanel().tree();
        TreeItem item = tree.getItem(0);
        SweepRow row = (SweepRow) item.getData();
        assertEquals("simulate.py", item.getText(1));
        // expanded: its tasks, loaded on demand, then moving live
        item.setExpanded(true);
        tree.notifyListeners(SWT.Expand, eventFor(item));
        spin("its 16 tasks", () -> item.getItemCount() == 16
                && item.getItem(15).getData() instanceof JobSummary);
        spin("some tasks done while others run", () -> {
            int[] c = row.counts();
            return c[2] >= 2 && c[1] >= 1;
        });
        String progress = item.getText(2);
        SwtTestSupport.screenshot(window().getShell(), "sweep-progress");
        assertTrue(progress.matches("\\d+ / 16"), progress);
        spin("every task to end", row::isDone);
        assertEquals("16 / 16", item.getText(2));
        assertEquals("15 done · 1 failed", item.getText(3));
        spin("every task row to show its end", () -> java.util.Arrays.stream(item.getItems())
                .allMatch(t -> t.getData() instanceof JobSummary j && j.state().isTerminal()));
        TreeItem failed = item.getItem(3);
        assertEquals("task 3", failed.getText(0));
        assertTrue(failed.getText(3).contains("code 2"), failed.getText(3));
        // a task opens in an output tab
        tree.setSelection(failed);
        tree.notifyListeners(SWT.DefaultSelection, new Event());
        long jobId = ((JobSummary) failed.getData()).jobId();
        spin("the task's output tab", () -> window().outputs().tab(jobId).isPresent());
        spin("its output", () -> window().outputs().tab(jobId).get().text().getText()
                .contains("rate 0.4 step 3"));
        SwtTestSupport.screenshot(window().getShell(), "sweep-done");
        // the history lists it as one row too
        window().showView(1);
        window().history().reload();
        var hist = window().history().sweepsPanel().tree();
        spin("the history's sweep row", () -> hist.getItemCount() == 1
                && hist.getItem(0).getText(3).equals("15 done · 1 failed"));
        assertEquals(0, window().history().rows().size(), "tasks are not listed one by one");
        SwtTestSupport.screenshot(window().getShell(), "sweep-history");
    }

    private static Event eventFor(TreeItem item) {
        Event e = new Event();
        e.item = item;
        return e;
    }
}
