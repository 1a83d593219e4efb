package idle.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code idle lend --install-service | --uninstall-service} through the real command line, with
 * the real sandbox check, a private XDG_CONFIG_HOME, and on PATH a stand-in systemctl (a shell
 * script) that records what it was asked.
 */
class LendServiceCommandTest {
    @TempDir
    Path dir;

    private Path unit() {
        return dir.resolve("config/systemd/user/idle-lend.service");
    }

    private Path passwordFile() {
        return dir.resolve("data/lend-service.password");
    }

    private Cli cli(int systemctlExit) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path systemctl = bin.resolve("systemctl");
        Files.writeString(systemctl, "#!/bin/sh\necho \"$*\" >>'" + dir.resolve("systemctl.calls") + "'\nexit "
                + systemctlExit + "\n");
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new Cli(dir.resolve("data")).withEnv("XDG_CONFIG_HOME", dir.resolve("config").toString())
                .withEnv("PATH", bin.toString()).withEnv("IDLE_PASSWORD", "service-pw-1");
    }

    private List<String> systemctlCalls() throws IOException {
        Path f = dir.resolve("systemctl.calls");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    @Test
    void installServiceWritesTheUnitWithTheOptionsGivenAndStartsIt() throws IOException {
        Cli.Outcome r = cli(0).run("lend", "--install-service", "--server", "127.0.0.1:18001", "--user", "bob",
                "--max-jobs", "2", "--cpu-seconds", "45", "--when-idle", "--on-stop", "finish", "--timeout", "100");
        assertEquals(0, r.code(), r.toString());
        String unit = Files.readString(unit());
        String exec = unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertTrue(exec.contains(" lend --server 127.0.0.1:18001 --user bob --max-jobs 2 --cpu-seconds 45 "
                + "--memory-mb 1024 --timeout 100 --max-output-mb 256 --max-processes 64 --on-stop finish "
                + "--when-idle --password-file " + passwordFile()), exec);
        assertTrue(unit.contains("\nTimeoutStopSec=130\n"), "finishing jobs may take their timeout: " + unit);
        assertFalse(unit.contains("service-pw-1"));
        assertEquals("service-pw-1\n", Files.readString(passwordFile()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile())));
        assertEquals(List.of("--user daemon-reload", "--user enable idle-lend.service",
                "--user restart idle-lend.service"), systemctlCalls());
        assertTrue(r.out().contains("enabled and running"), r.toString());
    }

    @Test
    void withoutAUserManagerItSaysHowToStartTheServiceLater() throws IOException {
        Cli.Outcome r = cli(1).run("lend", "--install-service", "--server", "127.0.0.1:18001", "--user", "bob");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.exists(unit()));
        assertTrue(r.out().contains("systemctl --user enable --now idle-lend.service"), r.toString());
    }

    @Test
    void uninstallServiceRemovesWhatInstallMade() throws IOException {
        Cli c = cli(0);
        assertEquals(0, c.run("lend", "--install-service", "--user", "bob").code());
        Cli.Outcome r = c.run("lend", "--uninstall-service");
        assertEquals(0, r.code(), r.toString());
        assertFalse(Files.exists(unit()));
        assertFalse(Files.exists(passwordFile()));
        assertTrue(systemctlCalls().contains("--user disable --now idle-lend.service"), systemctlCalls().toString());
    }

    @Test
    void aServiceNeverLendsWithoutTheSandboxAndTheTwoOptionsExcludeEachOther() throws IOException {
        Cli c = cli(0);
        Cli.Outcome unsafe = c.run("lend", "--install-service", "--unsafe-no-sandbox", "--user", "bob");
        assertEquals(ExitCodes.USAGE, unsafe.code(), unsafe.toString());
        assertTrue(unsafe.err().contains("never lends without the sandbox"), unsafe.toString());
        Cli.Outcome both = c.run("lend", "--install-service", "--uninstall-service");
        assertEquals(ExitCodes.USAGE, both.code(), both.toString());
        Cli.Outcome badLimits = c.run("lend", "--install-service", "--max-jobs", "0");
        assertEquals(ExitCodes.USAGE, badLimits.code(), badLimits.toString());
        Cli.Outcome injected = c.run("lend", "--install-service", "--user", "bob\nExecStartPre=/bin/true");
        assertEquals(ExitCodes.USAGE, injected.code(), injected.toString());
        assertFalse(Files.exists(unit()), "nothing was installed");
        assertFalse(Files.exists(passwordFile()));
        assertEquals(List.of(), systemctlCalls());
    }
}
