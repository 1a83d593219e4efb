package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.ui.model.JobRow;
import idle.client.ui.service.AgentLending;
import idle.client.ui.service.ServicesSession;
import idle.server.IdleServer;
import idle.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The workbench submitting a job too large for one request (issue 11): the queue shows a plain
 * message naming the limit, no dialog, no unhandled exception (one on the UI thread would fail
 * the event loop this test spins), and the window goes on working (the next submission reaches
 * the server). A real server in this JVM; nobody lends.
 */
class OversizedSubmitTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Display display;
    private IdleServer server;
    private IdleWorkbench workbench;
    private Path home;

    @BeforeEach
    void start() throws Exception {
        display = Display.getDefault();
        home = Path.of("target", "oversized-submit", Long.toString(System.nanoTime())).toAbsolutePath();
        Files.createDirectories(home);
        server = IdleServer.start(ServerConfig.defaults(home.resolve("server")).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false));
        server.accounts().addUser("alice", PASSWORD.toCharArray(), false);
    }

    @AfterEach
    void stop() {
        if (workbench != null) {
            workbench.dispose();
        }
        SwtTestSupport.drainEvents(display);
        server.close();
    }

    @Test
    void anOversizedJobShowsTheLimitAndTheWindowStaysUsable() throws Exception {
        Path big = Files.writeString(home.resolve("big.py"), "print(1)\n" + "#".repeat((1 << 20) - 9));
        Path bin = Files.write(home.resolve("big.bin"), new byte[7 << 19]);
        Path quick = Files.writeString(home.resolve("quick.py"), "print('quick')\n");
        Path clientDir = home.resolve("client");
        workbench = new IdleWorkbench(display, IdleWorkbench.Options.of(clientDir)
                .withLogin(server.host() + ":" + server.port(), "alice", PASSWORD.toCharArray()),
                ServicesSession.opener((address, user, password) -> new AgentLending(address, user,
                        password, clientDir)));
        workbench.open();
        WorkbenchWindow window = workbench.window();
        spin(window, "the scripted login", () -> window.sessions().isLoggedIn());

        var queue = window.queue();
        queue.addScripts(List.of(big));
        queue.addInputs(List.of(bin));
        long t0 = System.nanoTime();
        assertTrue(queue.submitPending());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 2000, "the UI thread does not wait for the submission: " + ms + " ms");
        JobRow row = (JobRow) queue.jobsViewer().getTable().getItem(0).getData();
        spin(window, "the submission to fail", () -> row.phase() == JobRow.Phase.ERROR);
        assertTrue(row.note().startsWith("Not submitted: the job is 4.5 MiB to send (script 1 MiB, input files 3.5 MiB)"),
                row.note());
        assertTrue(row.note().contains("the largest request IDLE can send is 4 MiB"), row.note());
        assertFalse(row.note().contains("Exception") || row.note().contains("payload of"), row.note());
        assertEquals("Not submitted", queue.jobsViewer().getTable().getItem(0).getText(2));
        assertTrue(queue.bannerText().startsWith("big.py was not submitted: the job is 4.5 MiB"),
                queue.bannerText());
        for (Shell s : display.getShells()) {
            assertTrue(s == window.getShell() || !s.isVisible(), "no dialog: " + s.getText());
        }
        SwtTestSupport.screenshot(window.getShell(), "queue-oversized-job");

        // Still usable: the next job reaches the server (which answers NLA: nobody lends).
        queue.addScripts(List.of(quick));
        assertTrue(queue.submitPending());
        JobRow next = (JobRow) queue.jobsViewer().getTable().getItem(1).getData();
        spin(window, "the server's answer to the next job", () -> next.phase() == JobRow.Phase.REJECTED);
        assertTrue(queue.bannerText().contains("quick.py was not accepted"), queue.bannerText());
        assertTrue(window.statusField("connection").startsWith("Connected"), window.statusField("connection"));
    }

    private void spin(WorkbenchWindow window, String what, java.util.function.BooleanSupplier condition) {
        try {
            SwtTestSupport.spinUntil(display, WAIT, what, condition);
        } catch (AssertionError e) {
            try {
                SwtTestSupport.screenshot(window.getShell(), "FAILED-oversized-" + what.replaceAll("\\W+", "-"));
            } catch (Exception ignored) {
                // the failure matters more
            }
            throw e;
        }
    }
}
