package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.cli.Cli;
import idle.client.lender.LenderSettings;
import idle.client.lender.ServedJob;
import idle.client.testing.SandboxRequirement;
import idle.shared.model.PythonEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 end to end: a real server, real lenders probing their environments in the real
 * sandbox, and the runner's command line. One lender lends /usr/bin/python3 (with Debian's
 * python3-numpy); the other lends only a virtual environment the test makes under a home-like
 * path named after a fake login, holding a pure-python package of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class PackagesE2eTest {
    /** A login no machine has: it must never reach a job. */
    static final String FAKE_LOGIN = "idlefakelogin" + ProcessHandle.current().pid();
    static final String PACKAGE = "idlepkg_test";

    @TempDir
    static Path dir;
    Fixture fx;
    Path home;
    Path venv;
    Fixture.Lender system;
    Fixture.Lender science;

    @BeforeAll
    void start() throws Exception {
        SandboxRequirement.requireBubblewrap();
        home = dir.resolve("home").resolve(FAKE_LOGIN);
        venv = makeVenv(home.resolve("envs").resolve("science"));
        fx = new Fixture(dir);
        system = fx.lender("lender1", 2);
        science = fx.lender("lender2", fx.address(), LenderSettings.defaults(
                dir.resolve("client-lender2")).withMaxJobs(2).withLimits(10, 256, 30, 16)
                .withWorkRoot(Fixture.WORK_ROOT).withPython(venv.resolve("bin/python")),
                java.time.Duration.ofMillis(200));
    }

    @AfterAll
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    /**
     * {@code python3 -m venv} (no pip) with a package that has a version in its metadata, and
     * compiled files that record the venv's path (as pip's would).
     */
    static Path makeVenv(Path at) throws Exception {
        Files.createDirectories(at.getParent());
        run("/usr/bin/python3", "-m", "venv", "--without-pip", at.toString());
        Path site;
        try (var s = Files.list(at.resolve("lib"))) {
            site = s.findFirst().orElseThrow().resolve("site-packages");
        }
        Path pkg = Files.createDirectories(site.resolve(PACKAGE));
        Files.writeString(pkg.resolve("__init__.py"), "VERSION = '0.3.1'\n"
                + "WHERE = __file__\n");
        Path info = Files.createDirectories(site.resolve("idlepkg_test-0.3.1.dist-info"));
        Files.writeString(info.resolve("METADATA"),
                "Metadata-Version: 2.1\nName: idlepkg-test\nVersion: 0.3.1\n");
        Files.writeString(info.resolve("top_level.txt"), PACKAGE + "\n");
        Files.writeString(info.resolve("RECORD"), PACKAGE + "/__init__.py,,\n");
        run(at.resolve("bin/python").toString(), "-m", "compileall", "-q", pkg.toString());
        return at;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + List.of(cmd));
        assertEquals(0, p.exitValue(), List.of(cmd) + ": " + out);
    }

    Cli cli() {
        return new Cli(dir.resolve("client")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD)
                .withEnv("IDLE_SERVER", fx.address()).withEnv("IDLE_USER", "alice");
    }

    @Test
    @Order(1)
    void eachLenderReportsWhatItsEnvironmentOffers() {
        PythonEnvironment usr = system.agent.inventory().get(0);
        assertTrue(usr.modules().contains("numpy"), usr.modules().toString());
        assertTrue(usr.distributions().stream().anyMatch(d -> d.name().equals("numpy")
                && d.version().equals("1.24.2") && d.modules().equals(List.of("numpy"))),
                usr.distributions().toString());
        assertFalse(usr.modules().contains("os") || usr.modules().contains("json"),
                "the standard library is not listed");

        List<PythonEnvironment> envs = science.agent.inventory();
        assertEquals(1, envs.size());
        assertEquals(List.of(PACKAGE), envs.get(0).modules(), "the venv has only its package");
        assertEquals("0.3.1", envs.get(0).distributions().get(0).version());
    }

    @Test
    @Order(2)
    void aNumpyScriptRunsThroughALenderThatHasIt() throws Exception {
        Path s = fx.script("uses_numpy.py", """
                import numpy as np
                print('numpy', np.__version__, int(np.arange(10).sum()))
                """);
        Cli.Outcome r = cli().run("run", s.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("numpy 1.24.2 45\n", r.out());
    }

    @Test
    @Order(3)
    void aScriptImportingAModuleNoLenderHasExits75NamingIt() throws Exception {
        Path s = fx.script("needs_missing.py", """
                import sys
                import numpy
                from nosuchmodule_idle.sub import thing
                """);
        Cli.Outcome r = cli().run("run", s.toString());
        assertEquals(75, r.code(), r.toString());
        assertTrue(r.err().contains("needs_missing.py: no lender available: no lender offers "
                + "nosuchmodule_idle (2 lenders online; 1 offers numpy)"), r.err());
        assertEquals("", r.out());
        Cli.Outcome jobs = cli().run("jobs");
        assertFalse(jobs.out().contains("needs_missing.py"), "nothing was queued: " + jobs.out());
    }

    @Test
    @Order(3)
    void needsNumpyNinetyNineGetsAnNlaNamingTheVersion() throws Exception {
        Path s = fx.script("plain.py", "print('no imports')\n");
        Cli.Outcome r = cli().run("run", "--needs", "numpy>=99", s.toString());
        assertEquals(75, r.code(), r.toString());
        assertTrue(r.err().contains("no lender offers numpy>=99 (2 lenders online; 1 offers "
                + "numpy in another version)"), r.err());

        Cli.Outcome bad = cli().run("run", "--needs", "numpy=>99", s.toString());
        assertEquals(64, bad.code(), bad.toString());
        assertTrue(bad.err().contains("does not start with"), bad.err());
    }

    @Test
    @Order(4)
    void theVirtualenvLenderGetsExactlyTheJobsThatImportItsPackage() throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--detach"));
        Set<String> packageJobs = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
            args.add(fx.script("pkg" + i + ".py", "import " + PACKAGE + "\nprint("
                    + PACKAGE + ".VERSION)\n").toString());
            args.add(fx.script("np" + i + ".py", "import numpy\nprint(numpy.__version__)\n")
                    .toString());
        }
        Cli.Outcome r = cli().run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        Matcher m = Pattern.compile("(?m)^(\\d+)\\t(\\S+)\\t").matcher(r.out());
        List<Long> all = new ArrayList<>();
        while (m.find()) {
            all.add(Long.parseLong(m.group(1)));
            if (m.group(2).startsWith("pkg")) {
                packageJobs.add(m.group(1));
            }
        }
        assertEquals(6, all.size(), r.out());
        assertTrue(idle.shared.testing.Poll.until(() -> system.served.size()
                + science.served.size() >= 6, Fixture.WAIT), "all six ran");
        Set<String> servedByScience = new TreeSet<>();
        for (ServedJob j : science.served) {
            servedByScience.add(Long.toString(j.jobId()));
            assertTrue(j.outcome() instanceof idle.shared.model.JobOutcome.Succeeded, j.toString());
        }
        assertEquals(packageJobs, servedByScience, "exactly the jobs importing " + PACKAGE);
        for (ServedJob j : system.served) {
            assertTrue(j.scriptName().startsWith("np") || j.scriptName().equals("uses_numpy.py"),
                    j.toString());
        }
    }

    @Test
    @Order(5)
    void aJobInTheVirtualenvSeesNoHostPathOfIt() throws Exception {
        Path s = fx.script("snoop_env.py", """
                import os, sys
                import %s
                print('prefix', sys.prefix)
                print('package', %s.WHERE)
                with open('/proc/self/mountinfo') as f:
                    print(f.read())
                with open(os.path.join(sys.prefix, 'pyvenv.cfg')) as f:
                    print(f.read())
                for root, dirs, files in os.walk(sys.prefix):
                    for name in files:
                        p = os.path.join(root, name)
                        print('file', p)
                        try:
                            data = open(p, 'rb').read()
                        except OSError as e:
                            print('unreadable', p, e.errno)
                            continue
                        if b'%s' in data:
                            print('LEAK in', p)
                    for name in dirs + files:
                        p = os.path.join(root, name)
                        if os.path.islink(p):
                            print('link', p, os.readlink(p))
                """.formatted(PACKAGE, PACKAGE, FAKE_LOGIN));
        Cli.Outcome r = cli().run("run", s.toString());
        assertEquals(0, r.code(), r.toString());
        String out = r.out();
        assertTrue(out.contains("prefix /idle/env/1\n"), out);
        assertTrue(out.contains("package /idle/env/1/lib/"), out);
        assertTrue(out.contains(" /idle/env/1 ro,"), "the copy is mounted read-only:\n" + out);
        assertTrue(Pattern.compile("(?m)^command = /usr/bin/python3 -m venv .*/idle/env/1$")
                .matcher(out).find(), "pyvenv.cfg names the neutral path:\n" + out);
        assertTrue(out.contains("file /idle/env/1/lib/python3.11/site-packages/" + PACKAGE
                + "/__init__.py"), out);
        assertFalse(out.contains("__pycache__/__init__"), "compiled files naming the path are left out:\n" + out);
        for (String secret : List.of(FAKE_LOGIN, home.toString(), venv.toString(),
                dir.toString())) {
            assertFalse(out.contains(secret), "the job sees " + secret + ":\n" + out);
        }
        assertTrue(Files.exists(venv.resolve("pyvenv.cfg"))
                && Files.readString(venv.resolve("pyvenv.cfg")).contains(venv.toString()),
                "the lender's own environment is untouched");
    }

    @Test
    @Order(6)
    void aPackageInstalledWhileLendingIsOfferedWithoutARestart() throws Exception {
        Path late = fx.script("late.py", "import idlepkg_late\nprint(idlepkg_late.X)\n");
        Cli.Outcome before = cli().run("run", late.toString());
        assertEquals(75, before.code(), before.toString());

        int registrations = registrations(science);
        Path site;
        try (var s = Files.list(venv.resolve("lib"))) {
            site = s.findFirst().orElseThrow().resolve("site-packages");
        }
        Path pkg = Files.createDirectories(site.resolve("idlepkg_late.tmp"));
        Files.writeString(pkg.resolve("__init__.py"), "X = 'installed while lending'\n");
        Files.move(pkg, site.resolve("idlepkg_late")); // as pip does: the package appears at once
        assertTrue(idle.shared.testing.Poll.until(() -> registrations(science) > registrations,
                Fixture.WAIT), "the lender to offer its environment again: " + science.log);
        assertTrue(science.agent.inventory().get(0).modules().contains("idlepkg_late"),
                science.agent.inventory().toString());

        Cli.Outcome after = cli().run("run", late.toString());
        assertEquals(0, after.code(), after.toString());
        assertEquals("installed while lending\n", after.out());
    }

    /** How many times the lender registered ("lending as ..." lines in its log). */
    private static int registrations(Fixture.Lender l) {
        return (int) l.log.stream().filter(line -> line.contains("] lending as ")).count();
    }

    @Test
    @Order(7)
    void idleLendersShowsOnlyWhatLendersOfTwoPeopleOffer() throws Exception {
        Cli.Outcome one = cli().run("lenders", "numpy", PACKAGE);
        assertEquals(1, one.code(), one.toString());
        assertTrue(one.out().startsWith("2 lenders online, "), one.out());
        assertTrue(one.err().contains("numpy: not offered by lenders of two or more people")
                && one.err().contains(PACKAGE + ": not offered"), one.err());

        fx.lender("lender3", 1); // a second person lending /usr/bin/python3 with numpy
        Cli.Outcome two = cli().run("lenders", "numpy");
        assertEquals(0, two.code(), two.toString());
        assertTrue(two.out().startsWith("3 lenders online, "), two.out());
        assertTrue(Pattern.compile("(?m)^numpy +2 lenders +1\\.24\\.2$").matcher(two.out()).find(),
                two.out());
        Cli.Outcome all = cli().run("lenders");
        assertEquals(0, all.code(), all.toString());
        assertTrue(all.out().contains("python packages offered by lenders of two or more people:"),
                all.out());
        assertFalse(all.out().contains(PACKAGE), "one lender's package stays hidden: " + all.out());
    }
}
