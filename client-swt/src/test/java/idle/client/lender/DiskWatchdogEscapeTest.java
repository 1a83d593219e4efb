package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.JobOutcome;
import idle.shared.model.Limit;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, hole 6: the disk watchdog skipped what it could not read, so a script could write past
 * {@code --max-output-mb} into a directory it made unreadable ({@code chmod 0300}) or nested
 * deeper than PATH_MAX; and the cleanup left such trees behind. A lender who is not root
 * ({@link LenderUser}) is the one affected (root reads anything); the deep trees affect every
 * lender, so those are also tried as the user running the tests. The output cap is 4 MiB, and
 * every script writes 64 MiB and ends: caught while it runs or at its end, never reported a
 * success.
 */
@Timeout(300)
class DiskWatchdogEscapeTest {
    static final String HIDE_IN_UNREADABLE_DIR = """
            import os
            os.mkdir('h')
            os.mkdir('h/inner')
            os.chmod('h/inner', 0o000)
            os.chmod('h', 0o300)
            for i in range(64):
                with open('h/f%d' % i, 'wb') as f:
                    f.write(b'z' * (1024 * 1024))
            print('wrote 64 MiB unseen')
            """;

    /** 40 levels of 200-character names: 8 KiB of path, twice PATH_MAX. */
    static final String DEEPER_THAN_PATH_MAX = """
            import os
            for i in range(40):
                os.mkdir('d' * 200)
                os.chdir('d' * 200)
            open('deep.txt', 'w').write('at the bottom')
            print('path', len(os.getcwd()))
            """;

    /** 3000 levels: beyond PATH_MAX and beyond any sensible nesting; 64 MiB at the bottom. */
    static final String HIDE_DEEP_DOWN = """
            import os
            for i in range(3000):
                os.mkdir('d')
                os.chdir('d')
            for i in range(64):
                with open('f%d' % i, 'wb') as f:
                    f.write(b'z' * (1024 * 1024))
            print('wrote 64 MiB deep down')
            """;

    @TempDir
    java.nio.file.Path data;

    @BeforeAll
    static void needsBubblewrap() {
        SandboxTest.requireBubblewrap();
    }

    @Test
    void anUnreadableDirectoryDoesNotHideWritesFromTheOutputLimit() throws Exception {
        LenderUser lender = LenderUser.get();
        Map<String, String> r = lender.probe(Map.of("dataDir", lender.dataDir().toString(),
                "script", HIDE_IN_UNREADABLE_DIR, "outputMb", "4"));
        assertTrue(r.get("outcome").startsWith("LimitExceeded[limit=OUTPUT"), r.toString());
        assertEquals("false", r.get("workDirLeft"), "the unreadable directory was left behind");
    }

    @Test
    void anUnreadableDirectoryIsCaughtWhileTheScriptRuns() throws Exception {
        // The script then waits: only the watchdog, not the end-of-job check, can stop it
        // before its wall-clock limit.
        LenderUser lender = LenderUser.get();
        Map<String, String> r = lender.probe(Map.of("dataDir", lender.dataDir().toString(),
                "script", HIDE_IN_UNREADABLE_DIR + "import time\ntime.sleep(60)\n",
                "outputMb", "4", "timeout", "10"));
        assertTrue(r.get("outcome").startsWith("LimitExceeded[limit=OUTPUT"), r.toString());
        assertEquals("false", r.get("workDirLeft"));
    }

    @Test
    void aTreeDeeperThanPathMaxIsRemovedAsNonRoot() throws Exception {
        LenderUser lender = LenderUser.get();
        Map<String, String> r = lender.probe(Map.of("dataDir", lender.dataDir().toString(),
                "script", DEEPER_THAN_PATH_MAX));
        assertTrue(r.get("outcome").startsWith("Succeeded"), r.toString());
        assertTrue(r.get("stdout").startsWith("path 80"), r.get("stdout"));
        assertEquals("false", r.get("workDirLeft"), "the deep tree was left behind: " + r);
    }

    @Test
    void aTreeDeeperThanPathMaxIsRemovedAsTheTestUser() throws Exception {
        Sandbox s = Sandbox.create(LenderSettings.defaults(data).withLimits(2, 256, 20, 4)
                .withWorkRoot(SandboxTest.WORK_ROOT), PythonInterpreter.locate(null));
        SandboxTest.Run r = SandboxTest.run(s, DEEPER_THAN_PATH_MAX);
        assertInstanceOf(JobOutcome.Succeeded.class, r.result().outcome(), r.stderr());
        assertFalse(Files.exists(r.result().workDir(), LinkOption.NOFOLLOW_LINKS),
                "the deep tree was left behind");
    }

    @Test
    void writesNestedBeyondPathMaxCountTowardTheOutputLimit() throws Exception {
        LenderUser lender = LenderUser.get();
        Map<String, String> r = lender.probe(Map.of("dataDir", lender.dataDir().toString(),
                "script", HIDE_DEEP_DOWN, "outputMb", "4"));
        assertTrue(r.get("outcome").startsWith("LimitExceeded[limit=OUTPUT"), r.toString());
        assertEquals("false", r.get("workDirLeft"), "the deep tree was left behind");
    }

    @Test
    void writesNestedBeyondPathMaxCountTowardTheOutputLimitAsTheTestUser() throws Exception {
        Sandbox s = Sandbox.create(LenderSettings.defaults(data).withLimits(2, 256, 30, 4)
                .withWorkRoot(SandboxTest.WORK_ROOT), PythonInterpreter.locate(null));
        SandboxTest.Run r = SandboxTest.run(s, HIDE_DEEP_DOWN);
        JobOutcome.LimitExceeded l = assertInstanceOf(JobOutcome.LimitExceeded.class,
                r.result().outcome(), r.stdout() + r.stderr());
        assertEquals(Limit.OUTPUT, l.limit());
        assertFalse(Files.exists(r.result().workDir(), LinkOption.NOFOLLOW_LINKS));
    }
}
