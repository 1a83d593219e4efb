package idle.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing, help and the exit codes that need no server. */
class CommandLineTest {
    @TempDir
    Path dir;

    Cli cli() {
        return new Cli(dir.resolve("data"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "lend", "jobs", "output", "cancel", "lenders", "gui"})
    void everyCommandHasHelp(String command) {
        Cli.Outcome r = cli().run(command, "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: idle " + command), r.out());
        assertEquals("", r.err());
    }

    @Test
    void topLevelHelpListsTheCommands() {
        Cli.Outcome r = cli().run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"run", "lend", "jobs", "output", "cancel", "lenders", "gui"}) {
            assertTrue(r.out().contains("  " + c + " "), r.out());
        }
    }

    @Test
    void usageErrorsExit64WithAMessageOnStderr() {
        Cli.Outcome none = cli().run();
        assertEquals(64, none.code());
        assertTrue(none.err().contains("a command is required"), none.err());

        Cli.Outcome unknown = cli().run("run", "--bogus", "x.py");
        assertEquals(64, unknown.code());
        assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown.err());
        assertEquals("", unknown.out());

        Cli.Outcome missing = cli().withEnv("IDLE_PASSWORD", "pw").run("run", dir.resolve("nope.py").toString());
        assertEquals(64, missing.code());
        assertTrue(missing.err().contains("script not found"), missing.err());

        Cli.Outcome noScript = cli().run("run");
        assertEquals(64, noScript.code());

        Cli.Outcome badState = cli().run("jobs", "--state", "sleeping");
        assertEquals(64, badState.code());
        assertTrue(badState.err().contains("is not a job state"), badState.err());

        Cli.Outcome badId = cli().run("cancel", "abc");
        assertEquals(64, badId.code());

        Cli.Outcome badServer = cli().withEnv("IDLE_PASSWORD", "pw").run("jobs", "--server", "host:port");
        assertEquals(64, badServer.code());
        assertTrue(badServer.err().contains("not a port number"), badServer.err());
    }

    @Test
    void withoutAnyPasswordSourceItSaysHowToGiveOne() throws Exception {
        Path script = Files.writeString(dir.resolve("a.py"), "print(1)\n");
        Cli.Outcome r = cli().run("run", "--server", "127.0.0.1:9", script.toString());
        assertEquals(64, r.code());
        assertTrue(r.err().contains("IDLE_PASSWORD") && r.err().contains("--password-file"), r.err());
    }

    @Test
    void aJobTooLargeForOneRequestExits65BeforeAnyLogin() throws Exception {
        Path script = Files.writeString(dir.resolve("big.py"), "print(1)\n" + "#".repeat((1 << 20) - 9));
        Path input = Files.write(dir.resolve("big.bin"), new byte[7 << 19]);
        // Nothing listens on port 9 and there is no password: the size is checked first.
        Cli.Outcome r = cli().run("run", "--server", "127.0.0.1:9", script.toString(), "--input",
                input.toString());
        assertEquals(65, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("big.py: the job is 4.5 MiB to send (script 1 MiB, input files 3.5 MiB)"),
                r.err());
        assertTrue(r.err().contains("4 MiB") && r.err().contains("the server's own limits may be lower"), r.err());

        Cli.Outcome arg = cli().run("run", "--server", "127.0.0.1:9", script.toString(), "--", "x".repeat(70_000));
        assertEquals(65, arg.code(), arg.toString());
        assertTrue(arg.err().contains("argument 1 is 68.4 KiB; an argument may have at most 65535 bytes"),
                arg.err());
    }

    @Test
    void anUnreachableServerExits69() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there now
        }
        Path script = Files.writeString(dir.resolve("a.py"), "print(1)\n");
        Path pw = Files.writeString(dir.resolve("pw"), "secret\n");
        Cli.Outcome r = cli().run("run", "--server", "127.0.0.1:" + port, "--user", "alice",
                "--password-file", pw.toString(), script.toString());
        assertEquals(69, r.code(), r.toString());
        assertTrue(r.err().contains("cannot reach the server at 127.0.0.1:" + port), r.err());
        assertTrue(r.err().contains("connection refused"), r.err());
    }

    @Test
    void aServiceThatIsNotIdleIsReportedAsUnreachable() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try (var c = s.accept()) {
                    c.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                    c.getOutputStream().flush();
                    c.getInputStream().read(new byte[64]);
                } catch (Exception ignored) {
                    // done
                }
            });
            t.start();
            Cli.Outcome r = cli().withEnv("IDLE_PASSWORD", "x").run("jobs", "--server",
                    "127.0.0.1:" + s.getLocalPort(), "--user", "bob");
            t.join();
            assertEquals(69, r.code(), r.toString());
            assertTrue(r.err().contains("is not an IDLE server"), r.err());
        }
    }

    @Test
    void guiWithoutADisplaySaysSoAndExits69() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("DISPLAY") == null,
                "with a display the workbench would open");
        Cli.Outcome r = cli().run("gui");
        assertEquals(69, r.code());
        assertTrue(r.err().contains("DISPLAY"), r.err());
    }

    @Test
    void lendRejectsLimitsThatMakeNoSense() {
        Cli.Outcome r = cli().withEnv("IDLE_PASSWORD", "x").run("lend", "--max-jobs", "0");
        assertEquals(64, r.code());
        assertTrue(r.err().contains("--max-jobs must be at least 1"), r.err());
        Cli.Outcome s = cli().run("lend", "--on-stop", "later");
        assertEquals(64, s.code());
        Cli.Outcome twice = cli().run("lend", "--python", "/usr/bin/python3", "--python",
                "/usr/bin/python3");
        assertEquals(64, twice.code(), twice.toString());
        assertTrue(twice.err().contains("names the same interpreter twice"), twice.err());
        Cli.Outcome five = cli().run("lend", "--python", "/a", "--python", "/b", "--python", "/c",
                "--python", "/d", "--python", "/e");
        assertEquals(64, five.code(), five.toString());
        assertTrue(five.err().contains("at most 4 environments"), five.err());
        Cli.Outcome shim = cli().run("lend", "--python", dir.resolve("nope/bin/python").toString());
        assertEquals(78, shim.code(), shim.toString());
        assertTrue(shim.err().contains("is not an executable file"), shim.err());
    }

    @Test
    void runRejectsNeedsItCannotSend() {
        Cli.Outcome bad = cli().run("run", "--needs", "numpy[extra]", "x.py");
        assertEquals(64, bad.code(), bad.toString());
        assertTrue(bad.err().contains("extras, markers and URLs are not supported"), bad.err());
        Cli.Outcome std = cli().run("run", "--needs", "os", "x.py");
        assertEquals(64, std.code(), std.toString());
        assertTrue(std.err().contains("standard library"), std.err());
    }
}
