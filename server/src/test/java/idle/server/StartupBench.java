package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.db.entity.Job;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Server start on a data directory with 100,000 jobs in history (some queued): time from
 * {@link IdleServer#start} to accepting connections. Run with {@code -Didle.bench=true}.
 */
@EnabledIfSystemProperty(named = "idle.bench", matches = "true")
class StartupBench {
    @Test
    void startWithALongHistory() throws Exception {
        int jobs = Integer.getInteger("idle.bench.history", 100_000);
        Path dir = TestDirs.fresh("startup");
        byte[] script = "print(1)\n".getBytes(StandardCharsets.UTF_8);
        try (Database db = Database.open(DatabaseConfig.embedded(dir.resolve("db")))) {
            for (int done = 0; done < jobs; ) {
                int n = Math.min(2000, jobs - done);
                int base = done;
                db.useTransaction(tx -> {
                    for (int i = 0; i < n; i++) {
                        Job j = new Job("u" + ((base + i) % 50), "s.py", "x", script, List.of(),
                                List.of(), JobNeeds.NONE, System.currentTimeMillis());
                        boolean active = base + i >= jobs - 100;
                        j.setState(active ? ((base + i) % 2 == 0 ? JobState.RUNNING
                                : JobState.QUEUED) : JobState.SUCCEEDED);
                        j.setAttempts(active ? 1 : 1);
                        tx.jobs().add(j);
                    }
                });
                done += n;
            }
        }
        if (Boolean.getBoolean("idle.bench.probe")) {
            try (Database db = Database.open(DatabaseConfig.embedded(dir.resolve("db")))) {
                for (int k = 0; k < 3; k++) {
                    long a = System.nanoTime();
                    int n = db.inTransaction(tx -> tx.jobs().inStates(
                            java.util.EnumSet.of(JobState.QUEUED)).size());
                    long b = System.nanoTime();
                    long c = db.inTransaction(tx -> tx.jobs().count());
                    long d = System.nanoTime();
                    System.out.printf("PROBE: inStates(QUEUED)=%d in %d ms; count=%d in %d ms%n",
                            n, (b - a) / 1_000_000, c, (d - b) / 1_000_000);
                }
            }
        }
        long t0 = System.nanoTime();
        try (IdleServer s = IdleServer.start(ServerConfig.defaults(dir).withPort(0))) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("STARTUP: " + jobs + " jobs in history, 100 active: ready in "
                    + ms + " ms");
            assertEquals(100, s.coordinator().activeJobs());
        }
    }
}
