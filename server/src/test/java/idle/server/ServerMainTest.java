package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line: usage errors exit 64, --help everywhere, local admin on a stopped server. */
class ServerMainTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = ServerMain.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Run(code, o.toString(), e.toString());
    }

    @Test
    void usageErrorsExit64AndHelpWorksEverywhere() {
        assertEquals(64, run().code());
        assertEquals(64, run("bogus").code());
        assertEquals(64, run("server", "--port", "x").code());
        Run slots = run("server", "--max-slots-per-lender", "0");
        assertEquals(64, slots.code());
        assertTrue(slots.err().contains("--max-slots-per-lender"), slots.err());
        assertEquals(64, run("admin", "user", "add").code());
        Run bad = run("admin", "--frobnicate");
        assertEquals(64, bad.code());
        assertTrue(bad.err().contains("Unknown option"), bad.err());
        for (String[] a : new String[][] {{"--help"}, {"server", "--help"}, {"admin", "--help"},
                {"admin", "user", "add", "--help"}, {"admin", "audit", "--help"},
                {"admin", "jobs", "--help"}, {"admin", "lenders", "--help"}}) {
            Run r = run(a);
            assertEquals(0, r.code(), String.join(" ", a));
            assertTrue(r.out().contains("Usage:"), r.out());
        }
    }

    /** The per-account limits of issue 11 (holes 9, f) are options, checked before start. */
    @Test
    void theDispatchLimitsAreOptionsCheckedBeforeStart() {
        for (String[] a : new String[][] {{"--max-queued-per-user", "0"},
                {"--max-lenders-per-user", "0"}, {"--script-cache", "-1"}}) {
            Run r = run("server", a[0], a[1]);
            assertEquals(64, r.code(), String.join(" ", a));
            assertTrue(r.err().contains(a[0]), r.err());
        }
        String help = run("server", "--help").out();
        assertTrue(help.contains("--max-queued-per-user") && help.contains("--script-cache")
                && help.contains("--max-lenders-per-user"), help);
    }

    /** Issue 13's reputation options: out-of-range values are usage errors, before start. */
    @Test
    void theReputationOptionsAreCheckedBeforeStart() {
        for (String[] a : new String[][] {{"--strike-limit", "0"}, {"--trust-after", "-1"},
                {"--spot-check", "1.5"}, {"--spot-check", "-0.1"}, {"--spot-check", "NaN"},
                {"--credit-priority", "-1"}, {"--credit-priority", "1000"}}) {
            Run r = run("server", a[0], a[1]);
            assertEquals(64, r.code(), String.join(" ", a));
            assertTrue(r.err().contains(a[0]), r.err());
        }
        String help = run("server", "--help").out();
        assertTrue(help.contains("--strike-limit") && help.contains("--trust-after")
                && help.contains("--spot-check") && help.contains("--credit-priority"), help);
    }

    /** TLS options that do not go together, and a verification out of range, before start. */
    @Test
    void tlsOptionsThatDoNotGoTogetherAreUsageErrors() {
        for (String[] a : new String[][] {{"--tls-cert", "c.pem"}, {"--tls-key", "k.pem"},
                {"--insecure-plaintext", "--tls-keystore", "k.p12"},
                {"--tls-keystore", "k.p12", "--tls-cert", "c.pem"},
                {"--verify-default", "9"}, {"--verify-max-replicas", "8"}}) {
            String[] argv = new String[a.length + 1];
            argv[0] = "server";
            System.arraycopy(a, 0, argv, 1, a.length);
            Run r = run(argv);
            assertEquals(64, r.code(), String.join(" ", a) + ": " + r.err());
            assertTrue(r.err().contains("--tls") || r.err().contains("verif"), r.err());
        }
    }

    @Test
    void localAdminWorksOnAStoppedServerAndRefusesARunningOne() throws Exception {
        Path dir = TestDirs.fresh("cli");
        Path pw = dir.resolve("pw.txt");
        Files.writeString(pw, "Cli-Secret-1\n");
        Run add = run("admin", "--data", dir.toString(), "user", "add", "root", "--admin",
                "--password-file", pw.toString());
        assertEquals(0, add.code(), add.err());
        assertTrue(add.out().contains("user root added (admin)"), add.out());
        Run dup = run("admin", "--data", dir.toString(), "user", "add", "root",
                "--password-file", pw.toString());
        assertEquals(1, dup.code());
        assertTrue(dup.err().contains("exists"), dup.err());
        Run list = run("admin", "--data", dir.toString(), "user", "list");
        assertTrue(list.out().contains("root") && list.out().contains("yes"), list.out());
        Run disable = run("admin", "--data", dir.toString(), "user", "disable", "nobody");
        assertEquals(1, disable.code());
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(dir).withPort(0))) {
            Run busy = run("admin", "--data", dir.toString(), "user", "list");
            assertEquals(1, busy.code());
            assertTrue(busy.err().contains("is in use") && busy.err().contains("--server"),
                    busy.err());
            Path apw = dir.resolve("apw.txt");
            Files.writeString(apw, "Cli-Secret-1");
            Run remote = run("admin", "--server", s.host() + ":" + s.port(), "--user", "root",
                    "--admin-password-file", apw.toString(), "lenders");
            assertEquals(0, remote.code(), remote.err());
            assertTrue(remote.out().contains("no lenders are online"), remote.out());
            Run suspend = run("admin", "--server", s.host() + ":" + s.port(), "--user", "root",
                    "--admin-password-file", apw.toString(), "lenders", "suspend", "root");
            assertEquals(0, suspend.code(), suspend.err());
            assertTrue(suspend.out().contains("lending by root suspended"), suspend.out());
            Run jobs = run("admin", "--server", s.host() + ":" + s.port(), "--user", "root",
                    "--admin-password-file", apw.toString(), "jobs", "--state", "QUEUED");
            assertEquals(0, jobs.code(), jobs.err());
            assertTrue(jobs.out().contains("(no jobs)"), jobs.out());
        }
        Run resume = run("admin", "--data", dir.toString(), "lenders", "resume", "root");
        assertEquals(0, resume.code(), resume.err());
        assertTrue(resume.out().contains("lending by root resumed: now new"), resume.out());
        Run table = run("admin", "--data", dir.toString(), "lenders");
        assertTrue(table.out().lines().anyMatch(l -> l.matches("root\\s+new\\s+0\\s.*")),
                table.out());
        Run verify = run("admin", "--data", dir.toString(), "audit", "--verify");
        assertEquals(0, verify.code(), verify.err());
        assertTrue(verify.out().startsWith("audit chain OK"), verify.out());
    }
}
