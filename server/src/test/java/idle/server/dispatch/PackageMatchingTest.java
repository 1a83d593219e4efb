package idle.server.dispatch;

import idle.server.ReputationConfig;
import idle.server.reputation.Reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.server.ServerConfig;
import idle.server.audit.AuditLog;
import idle.server.auth.Pseudonyms;
import idle.server.store.StoreWriter;
import idle.shared.message.Message;
import idle.shared.model.Distribution;
import idle.shared.model.JobNeeds;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ModuleNeed;
import idle.shared.model.PoolModule;
import idle.shared.model.PoolStatus;
import idle.shared.model.PythonEnvironment;
import idle.shared.model.WaitPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Matching jobs' module needs to lender environments, through the coordinator's seam (fake
 * peers, the real store writer on in-memory Derby, as {@link CoordinatorTest}): a job goes only to
 * an environment that has everything it needs, the EXF names that environment, NLA names what is
 * missing, and the pool view never tells what a single lender has.
 */
@Timeout(60)
class PackageMatchingTest {
    Path dataDir;
    Database db;
    StoreWriter writer;
    Coordinator co;
    final List<FakePeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        dataDir = Files.createTempDirectory(Path.of("target"), "matching-");
        db = Database.open(DatabaseConfig.inMemory("matching" + System.nanoTime()));
        writer = new StoreWriter(db, 100);
        co = new Coordinator(ServerConfig.defaults(dataDir), db, writer, new AuditLog(writer),
                Pseudonyms.load(dataDir.resolve("server-secret")),
                Reputation.load(db, writer, ReputationConfig.defaults()));
        co.recover();
    }

    @AfterEach
    void stop() {
        co.stop();
        peers.forEach(FakePeer::disconnect);
        writer.close();
        db.close();
    }

    /** An environment with distributions given as "name version module...". */
    static PythonEnvironment env(String python, String... dists) {
        List<String> modules = new ArrayList<>();
        List<Distribution> ds = new ArrayList<>();
        for (String d : dists) {
            String[] p = d.split(" ");
            List<String> mods = Arrays.asList(p).subList(2, p.length);
            modules.addAll(mods);
            ds.add(new Distribution(p[0], p[1], mods));
        }
        return new PythonEnvironment(python, modules, ds);
    }

    FakePeer lender(String user, PythonEnvironment... envs) {
        FakePeer p = new FakePeer(user);
        peers.add(p);
        co.makeLender(p, 1, new LenderCapabilities(envs[0].pythonVersion(), 4, 8192, 4, 60, 1024,
                600, 64, "fake", false, List.of(envs)));
        p.take(1, Message.Success.class);
        return p;
    }

    FakePeer runner() {
        FakePeer p = new FakePeer("alice");
        peers.add(p);
        return p;
    }

    static JobNeeds needs(String... requirements) {
        return new JobNeeds("", 0, 0, Arrays.stream(requirements).map(ModuleNeed::parse).toList());
    }

    /** Submits a job with {@code needs}; returns the NLA reason, or null when it was accepted. */
    String submit(FakePeer runner, int n, JobNeeds needs) {
        co.submit(runner, n, CoordinatorTest.rcs("import x", List.of(), needs, WaitPolicy.QUEUE));
        Message m = runner.take(s -> s.id() == n).m();
        return m instanceof Message.NoLenders nla ? nla.reason() : null;
    }

    @Test
    void aJobGoesOnlyToAnEnvironmentWithEverythingItNeedsAndTheExfNamesIt() {
        FakePeer plain = lender("lender1", env("3.11.2"));
        FakePeer science = lender("lender2", env("3.11.2", "numpy 1.24.2 numpy"),
                env("3.11.2", "numpy 1.26.4 numpy", "mylib 0.1 mylib", "PyYAML 6.0.1 yaml"));
        FakePeer runner = runner();

        assertNull(submit(runner, 1, needs("mylib")));
        Message.Execute exf = (Message.Execute) science.takeAny(Message.Execute.class).m();
        assertEquals(1, exf.environment(), "the environment that has mylib");
        assertEquals(needs("mylib"), exf.needs());

        assertNull(submit(runner, 2, needs("numpy>=1.25", "PyYAML==6.*")));
        assertEquals(1, ((Message.Execute) science.takeAny(Message.Execute.class).m())
                .environment(), "a distribution name matches too; 1.24.2 is too old");

        assertNull(submit(runner, 3, needs("numpy")));
        assertEquals(0, ((Message.Execute) science.takeAny(Message.Execute.class).m())
                .environment(), "the first environment that has it");

        assertNull(submit(runner, 4, JobNeeds.NONE));
        assertEquals(0, ((Message.Execute) plain.takeAny(Message.Execute.class).m())
                .environment(), "a job without needs may go anywhere");
        assertTrue(plain.pending().stream().noneMatch(s -> s.m() instanceof Message.Execute),
                "the lender without packages got no job needing them: " + plain.pending());
    }

    @Test
    void nlaNamesWhatIsMissingAndWhatThePoolHasInstead() {
        lender("lender1", env("3.11.2", "numpy 1.24.2 numpy"));
        lender("lender2", env("3.11.2", "numpy 1.24.2 numpy", "pandas 2.1.0 pandas"));
        lender("lender3", env("3.11.2", "numpy 1.26.4 numpy"), env("3.12.1", "mylib 1.0 mylib"));
        FakePeer runner = runner();

        assertEquals("no lender offers polars (3 lenders online)",
                submit(runner, 1, needs("polars")));
        assertEquals("no lender offers pandas>=3 (3 lenders online; 3 offer numpy 1.24.2; "
                + "1 offers pandas in another version)", submit(runner, 2, needs("numpy", "pandas>=3")));
        assertEquals("no lender offers numpy>=99 (3 lenders online; 3 offer numpy 1.24.2)",
                submit(runner, 3, needs("numpy>=99")), "1.26.4 is one user's: not named");
        assertEquals("no lender offers numpy>=1.25 and mylib together in one environment "
                + "(3 lenders online; 1 offers numpy>=1.25; 1 offers mylib)",
                submit(runner, 4, needs("numpy>=1.25", "mylib")));
        assertNull(submit(runner, 5, needs("mylib")), "one environment has it");
        String py = submit(runner, 6, new JobNeeds("3.13", 0, 0, List.of(ModuleNeed.any("numpy"))));
        assertTrue(py.startsWith("no online lender meets the job's needs (3 lenders online; e.g. "
                + "python 3.13+ needed"), py);
    }

    @Test
    void thePoolViewListsOnlyWhatLendersOfTwoUsersOffer() {
        lender("lender1", env("3.11.2", "numpy 1.24.2 numpy", "secretlib 0.1 secretlib"));
        lender("lender1", env("3.11.2", "numpy 1.26.4 numpy", "secretlib 0.1 secretlib"));
        PoolStatus one = co.pool();
        assertEquals(List.of(), one.modules(), "two lenders, one user: nothing is shown");

        lender("lender2", env("3.11.2", "numpy 1.26.4 numpy", "scipy 1.11.0 scipy"),
                env("3.12.1", "numpy 2.0.0 numpy"));
        PoolStatus two = co.pool();
        assertEquals(List.of(new PoolModule("numpy", 3, List.of("1.26.4"))), two.modules(),
                "numpy by two users, counted once per lender; only 1.26.4 has two users");
        assertNull(two.module("secretlib"), "one user's module is not shown");
        assertNull(two.module("scipy"));
        assertFalse(two.modules().toString().contains("2.0.0"));

        lender("lender3", env("3.11.2", "numpy 2.0.0 numpy", "scipy 1.11.0 scipy"));
        PoolStatus three = co.pool();
        assertEquals(new PoolModule("numpy", 4, List.of("2.0.0", "1.26.4")), three.module("numpy"));
        assertEquals(new PoolModule("scipy", 2, List.of("1.11.0")), three.module("scipy"));
        assertEquals(List.of("numpy", "scipy"), three.modules().stream().map(PoolModule::name)
                .toList(), "sorted by name");
    }

    @Test
    void aQueuedJobKeepsItsModuleNeedsAcrossARestart() throws IOException {
        FakePeer busy = lender("lender1", env("3.11.2", "mylib 1.0 mylib"));
        FakePeer runner = runner();
        for (int n = 1; n <= 5; n++) {
            assertNull(submit(runner, n, needs("mylib")), "accepted: a lender has mylib");
        }
        // four slots taken, the fifth job waits in the queue
        assertTrue(CoordinatorTest.until(() -> busy.pending().stream()
                .filter(s -> s.m() instanceof Message.Execute).count() == 4));
        co.stop();
        busy.disconnect();
        co = new Coordinator(ServerConfig.defaults(dataDir), db, writer, new AuditLog(writer),
                Pseudonyms.load(dataDir.resolve("server-secret")),
                Reputation.load(db, writer, ReputationConfig.defaults()));
        co.recover();

        FakePeer plain = lender("lender2", env("3.11.2", "numpy 1.24.2 numpy"));
        FakePeer again = lender("lender3", env("3.12.0"), env("3.11.2", "mylib 1.0 mylib"));
        Message.Execute exf = (Message.Execute) again.takeAny(Message.Execute.class).m();
        assertEquals(needs("mylib"), exf.needs(), "the needs came back from the database");
        assertEquals(1, exf.environment());
        assertTrue(plain.pending().stream().noneMatch(s -> s.m() instanceof Message.Execute),
                "the lender without mylib got none of them: " + plain.pending());
    }
}
