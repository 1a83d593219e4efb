package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.lender.service.ClientLauncher;
import idle.client.lender.service.UserServiceInstaller;
import idle.client.ui.service.AgentLending;
import idle.client.ui.service.ServicesSession;
import idle.client.ui.views.LenderView;
import idle.server.IdleServer;
import idle.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.swt.widgets.Display;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lender panel's "Lend when idle, also after I log out" switch in the real workbench, logged
 * in to a real server in this JVM: turning it on writes the user service with the logged-in server
 * and user and the limits shown, and tells systemctl (a stand-in script that records its
 * arguments, so that no real systemd is touched); turning it off removes it.
 */
class LenderServiceSwitchTest {
    private static final String PASSWORD = "switch-password-1";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Display display;
    private IdleServer server;
    private IdleWorkbench workbench;

    @AfterEach
    void close() {
        if (workbench != null) {
            workbench.dispose();
        }
        if (display != null) {
            SwtTestSupport.drainEvents(display);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theSwitchInstallsTheServiceForTheLoggedInUserAndRemovesIt() throws Exception {
        display = Display.getDefault();
        server = IdleServer.start(ServerConfig.defaults(tmp.resolve("server")).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false));
        server.accounts().addUser("alice", PASSWORD.toCharArray(), false);
        String address = server.host() + ":" + server.port();
        Path clientDir = tmp.resolve("client");
        workbench = new IdleWorkbench(display, IdleWorkbench.Options.of(clientDir)
                .withLogin(address, "alice", PASSWORD.toCharArray()),
                ServicesSession.opener((a, u, p) -> new AgentLending(a, u, p, clientDir)));
        workbench.open();
        SwtTestSupport.spinUntil(display, WAIT, "the login", () -> workbench.window().sessions().isLoggedIn());

        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path systemctl = Files.writeString(bin.resolve("systemctl"),
                "#!/bin/sh\necho \"$*\" >>'" + tmp.resolve("systemctl.calls") + "'\nexit 0\n");
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
        UserServiceInstaller installer = new UserServiceInstaller(tmp.resolve("config/systemd/user"),
                clientDir.resolve("lend-service.password"), ClientLauncher.current(), Map.of(), systemctl, null);
        LenderView lender = workbench.window().lender();
        workbench.window().showView(2);
        lender.useServiceInstaller(installer);
        assertFalse(lender.backgroundServiceButton().getSelection(), "nothing installed yet");

        lender.setBackgroundService(true, PASSWORD.toCharArray());
        SwtTestSupport.spinUntil(display, WAIT, "the service to be installed",
                () -> lender.backgroundServiceButton().isEnabled() && lender.logText().contains("enabled and running"));
        assertTrue(lender.backgroundServiceButton().getSelection());
        String unit = Files.readString(installer.unitFile());
        var limits = lender.currentSettings();
        assertTrue(unit.contains(" lend --server " + address + " --user alice --max-jobs " + limits.maxJobs()
                + " --cpu-seconds " + limits.cpuSeconds() + " --memory-mb " + limits.memoryMb() + " --timeout "
                + limits.timeoutSeconds() + " --when-idle --password-file " + installer.passwordFile()), unit);
        assertFalse(unit.contains(PASSWORD));
        assertEquals(PASSWORD + "\n", Files.readString(installer.passwordFile()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(installer.passwordFile())));
        SwtTestSupport.screenshot(workbench.window().getShell(), "lender-background-service");

        lender.setBackgroundService(false, null);
        SwtTestSupport.spinUntil(display, WAIT, "the service to be removed",
                () -> lender.backgroundServiceButton().isEnabled() && !lender.backgroundServiceButton().getSelection());
        assertFalse(Files.exists(installer.unitFile()));
        assertFalse(Files.exists(installer.passwordFile()));
        assertEquals(List.of("--user daemon-reload", "--user enable idle-lend.service", "--user restart idle-lend.service",
                "--user disable --now idle-lend.service", "--user daemon-reload"),
                Files.readAllLines(tmp.resolve("systemctl.calls")));
    }
}
