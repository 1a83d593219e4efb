package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.JobOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the interpreter, refusing without bubblewrap, the unsafe mode, the job log. */
class SandboxSetupTest {
    @TempDir
    Path dir;

    @Test
    void withoutBubblewrapLendingIsRefusedWithInstallInstructions() throws Exception {
        PythonInterpreter py = PythonInterpreter.locate(null);
        SandboxException e = assertThrows(SandboxException.class, () -> Sandbox.create(
                LenderSettings.defaults(dir).withWorkRoot(SandboxTest.WORK_ROOT), py, Optional.empty()));
        assertTrue(e.getMessage().contains("sudo apt-get install bubblewrap"), e.getMessage());
        assertTrue(e.getMessage().contains("--unsafe-no-sandbox"), e.getMessage());
    }

    @Test
    void theUnsafeModeRunsWithoutBubblewrapButStillWithLimitsAndAnEmptyEnvironment() throws Exception {
        PythonInterpreter py = PythonInterpreter.locate(null);
        Sandbox s = Sandbox.create(LenderSettings.defaults(dir).withUnsafeNoSandbox(true)
                .withLimits(1, 256, 10, 4).withWorkRoot(dir.resolve("work")), py, Optional.empty());
        assertFalse(s.isSafe());
        assertEquals("none (unsafe)", s.description());
        s.selfTest();
        SandboxTest.Run r = SandboxTest.run(s, "import os\nprint(sorted(os.environ))\nwhile True: pass\n");
        assertTrue(r.stdout().startsWith("['HOME', 'LANG', 'PATH', 'TMPDIR']")
                || r.stdout().startsWith("['HOME', 'LANG', 'LC_CTYPE', 'PATH', 'TMPDIR']"), r.stdout());
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class, r.result().outcome());
        assertEquals(idle.shared.model.Limit.CPU_TIME, l.limit());
    }

    @Test
    void aPyenvShimIsNotTakenForAnInterpreter() throws IOException {
        Path shim = dir.resolve("python3");
        Files.writeString(shim, "#!/usr/bin/env bash\nexec pyenv exec python3 \"$@\"\n");
        shim.toFile().setExecutable(true);
        IOException e = assertThrows(IOException.class, () -> PythonInterpreter.probe(shim));
        assertTrue(e.getMessage().contains("shim"), e.getMessage());
        PythonInterpreter real = PythonInterpreter.locate(null);
        assertTrue(real.version().startsWith("3."), real.version());
        assertFalse(PythonInterpreter.isShim(real.executable()));
    }

    @Test
    void theJobLogKeepsOneLinePerJobWithoutTheRunner() throws Exception {
        JobLog log = new JobLog(dir);
        assertEquals(0, log.lines().size());
        log.append(new ServedJob(java.time.Instant.EPOCH, java.time.Instant.EPOCH.plusSeconds(2), 42, 1,
                "hello\tworld.py", "ab".repeat(32), new JobOutcome.Failed(3),
                new idle.shared.model.ResourceUse(1500, 2000, 10, 20), 1, true));
        assertEquals(1, log.lines().size());
        String line = log.lines().get(0);
        assertEquals("1970-01-01T00:00:02Z\t42\t1\thello world.py\t" + "ab".repeat(32)
                + "\tfailed (exit 3)\t1500\t2000\t10\t20\t1", line);
        assertTrue(Files.readString(log.file()).startsWith("# finished\tjob"));
    }
}
