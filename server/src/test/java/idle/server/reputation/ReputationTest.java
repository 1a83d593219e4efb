package idle.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.db.Transaction;
import idle.db.repository.LenderRecord;
import idle.server.ReputationConfig;
import idle.server.dispatch.LenderTrust.Share;
import idle.server.dispatch.LenderTrust.Standing;
import idle.server.dispatch.LenderTrust.Verdict;
import idle.server.store.StoreWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The standing rules, credit and spot checks of {@link Reputation} on real Derby (on disk, so a
 * restart is a real one), written through a real store writer the way the dispatcher does.
 */
class ReputationTest {
    private static final long NOW = 1_800_000_000_000L;
    private final ReputationConfig config = ReputationConfig.defaults();
    private DatabaseConfig dbConfig;
    private Database db;
    private StoreWriter writer;
    private Reputation rep;

    @BeforeEach
    void open() throws Exception {
        Path base = Path.of("target", "test-data").toAbsolutePath();
        Files.createDirectories(base);
        dbConfig = DatabaseConfig.embedded(Files.createTempDirectory(base, "rep").resolve("db"));
        db = Database.open(dbConfig);
        writer = new StoreWriter(db, 100);
        rep = Reputation.load(db, writer, config, new Random(7), () -> NOW);
    }

    @AfterEach
    void close() {
        writer.close();
        db.close();
    }

    /** As the dispatcher does: record in the transaction that ends the job, recorded after. */
    private void end(Reputation r, Share... shares) throws Exception {
        List<Share> list = List.of(shares);
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.submit(new StoreWriter.Op() {
            @Override
            public void apply(Transaction tx) {
                r.record(tx, list);
            }

            @Override
            public void committed() {
                r.recorded(list);
                done.complete(null);
            }

            @Override
            public void failed(RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        done.get(30, TimeUnit.SECONDS);
    }

    private void times(int n, Share s) throws Exception {
        for (int i = 0; i < n; i++) {
            end(rep, s);
        }
    }

    private static Share share(String user, Verdict v, long cpu) {
        return new Share(user, v, cpu);
    }

    @Test
    void anAccountWithoutARecordIsNewWithNoCredit() {
        assertEquals(Standing.NEW, rep.standingOf("nobody"));
        assertEquals(0, rep.creditMillis("nobody"));
    }

    @Test
    void trustComesAfterTrustAfterAgreedResultsAndUncheckedOnesDoNotCount() throws Exception {
        times(config.trustAfter() - 1, share("bob", Verdict.AGREED, 10));
        times(5, share("bob", Verdict.UNCHECKED, 10));
        assertEquals(Standing.NEW, rep.standingOf("bob"));
        end(rep, share("bob", Verdict.AGREED, 10));
        assertEquals(Standing.TRUSTED, rep.standingOf("bob"));
    }

    @Test
    void aFailedSpotCheckCostsTheTrustAtOnce() throws Exception {
        times(config.trustAfter() + 5, share("bob", Verdict.AGREED, 10));
        assertEquals(Standing.TRUSTED, rep.standingOf("bob"));
        end(rep, share("bob", Verdict.DISAGREED, 10));
        assertEquals(Standing.NEW, rep.standingOf("bob"));
        assertEquals(1, rep.recordOf("bob").strikes());
    }

    @Test
    void strikesUpToTheLimitGiveReplicasOnlyAndLongCleanRunsForgiveThem() throws Exception {
        times(config.strikeLimit() - 1, share("mallory", Verdict.DISAGREED, 10));
        assertEquals(Standing.NEW, rep.standingOf("mallory"));
        end(rep, share("mallory", Verdict.DISAGREED, 10));
        assertEquals(Standing.REPLICAS_ONLY, rep.standingOf("mallory"));
        // agreeing replicas for a long time: one strike forgiven per FORGIVE_EVERY in a row
        times(LenderRecord.FORGIVE_EVERY - 1, share("mallory", Verdict.AGREED, 10));
        assertEquals(Standing.REPLICAS_ONLY, rep.standingOf("mallory"));
        end(rep, share("mallory", Verdict.AGREED, 10));
        assertEquals(config.strikeLimit() - 1, rep.recordOf("mallory").strikes());
        assertEquals(Standing.TRUSTED, rep.standingOf("mallory"));
        // the next strike keeps the forgiving and adds one: at the limit again
        end(rep, share("mallory", Verdict.DISAGREED, 10));
        assertEquals(Standing.REPLICAS_ONLY, rep.standingOf("mallory"));
    }

    @Test
    void creditCountsAgreedAndUncheckedCpuOnly() throws Exception {
        end(rep, share("bob", Verdict.AGREED, 1_000), share("carol", Verdict.DISAGREED, 5_000));
        end(rep, share("bob", Verdict.UNCHECKED, 300));
        end(rep, share("bob", Verdict.DISAGREED, 7_000));
        end(rep, share("bob", Verdict.LOST, 50));
        assertEquals(1_300, rep.creditMillis("bob"));
        assertEquals(0, rep.creditMillis("carol"));
        LenderRecord bob = rep.recordOf("bob");
        assertEquals(8_350, bob.cpuMillis());
        assertEquals(List.of(1L, 1L, 1L, 1L), List.of(bob.agreed(), bob.disagreed(), bob.lost(),
                bob.unchecked()));
    }

    @Test
    void absurdOrNegativeCpuTimesAreClamped() throws Exception {
        end(rep, share("bob", Verdict.AGREED, Long.MAX_VALUE));
        end(rep, share("bob", Verdict.AGREED, Long.MAX_VALUE));
        end(rep, share("bob", Verdict.UNCHECKED, -5));
        assertEquals(2 * ShareDeltas.MAX_CPU_MILLIS, rep.creditMillis("bob"));
    }

    @Test
    void aSuspendedAccountIsSuspendedWhateverItsRecordAndResumesWhereItWas() throws Exception {
        times(config.trustAfter(), share("bob", Verdict.AGREED, 10));
        List<LenderRecord> seen = Collections.synchronizedList(new ArrayList<>());
        rep.onChange(seen::add);
        rep.suspend("bob", true);
        assertEquals(Standing.SUSPENDED, rep.standingOf("bob"));
        end(rep, share("bob", Verdict.AGREED, 10)); // a job it ran before still ends
        assertEquals(Standing.SUSPENDED, rep.standingOf("bob"));
        rep.suspend("bob", false);
        assertEquals(Standing.TRUSTED, rep.standingOf("bob"));
        assertEquals(List.of(true, true, false), seen.stream().map(LenderRecord::suspended)
                .toList());
        // an account that never lent can be suspended beforehand
        rep.suspend("eve", true);
        assertEquals(Standing.SUSPENDED, rep.standingOf("eve"));
    }

    @Test
    void aRestartSeesTheSameRecordsAndStandings() throws Exception {
        times(config.trustAfter(), share("trusted", Verdict.AGREED, 100));
        times(config.strikeLimit(), share("liar", Verdict.DISAGREED, 100));
        end(rep, share("fresh", Verdict.UNCHECKED, 100));
        rep.suspend("banned", true);
        List<LenderRecord> before = rep.records();
        writer.close();
        db.close();
        db = Database.open(dbConfig);
        writer = new StoreWriter(db, 100);
        Reputation again = Reputation.load(db, writer, config, new Random(7), () -> NOW);
        assertEquals(before, again.records());
        assertEquals(Standing.TRUSTED, again.standingOf("trusted"));
        assertEquals(Standing.REPLICAS_ONLY, again.standingOf("liar"));
        assertEquals(Standing.NEW, again.standingOf("fresh"));
        assertEquals(Standing.SUSPENDED, again.standingOf("banned"));
        assertEquals(100, again.creditMillis("fresh"));
    }

    @Test
    void aRecordWrittenTwiceBecauseItsBatchFailedCountsOnce() throws Exception {
        List<Share> shares = List.of(share("bob", Verdict.AGREED, 10));
        // the batch it was in fails after it was written: rolled back
        assertThrows(IllegalStateException.class, () -> db.useTransaction(tx -> {
            rep.record(tx, shares);
            throw new IllegalStateException("another change of the batch failed");
        }));
        db.useTransaction(tx -> rep.record(tx, shares)); // alone
        rep.recorded(shares);
        assertEquals(1, db.inTransaction(tx -> tx.lenders().find("bob")).orElseThrow().agreed());
        assertEquals(1, rep.recordOf("bob").agreed());
    }

    @Test
    void spotChecksAreDrawnAtTheAdminsRate() {
        Reputation never = Reputation.load(db, writer, config.withSpotCheckRate(0),
                new Random(1), () -> NOW);
        Reputation always = Reputation.load(db, writer, config.withSpotCheckRate(1),
                new Random(1), () -> NOW);
        Reputation quarter = Reputation.load(db, writer, config.withSpotCheckRate(0.25),
                new Random(1), () -> NOW);
        int drawn = 0;
        for (int i = 0; i < 10_000; i++) {
            assertFalse(never.drawSpotCheck());
            assertTrue(always.drawSpotCheck());
            drawn += quarter.drawSpotCheck() ? 1 : 0;
        }
        assertTrue(drawn > 2_300 && drawn < 2_700, drawn + " of 10000 at 0.25");
    }

    @Test
    void ratesAndLimitsOutsideTheirRangeAreRefused() {
        for (double bad : new double[] {-0.01, 1.01, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> config.withSpotCheckRate(bad));
            assertThrows(IllegalArgumentException.class, () -> config.withCreditPriority(bad
                    * 1000));
        }
        assertThrows(IllegalArgumentException.class, () -> config.withStrikeLimit(0));
        assertThrows(IllegalArgumentException.class, () -> config.withTrustAfter(-1));
    }

    @Test
    void twoSharesOfOneAccountInOneJobCountInOrderAlsoAfterARestart() throws Exception {
        times(LenderRecord.FORGIVE_EVERY, share("bob", Verdict.AGREED, 1));
        end(rep, share("bob", Verdict.DISAGREED, 1));
        // in one job: 50 agreed would forgive that strike before the next one
        List<Share> shares = new ArrayList<>();
        for (int i = 0; i < LenderRecord.FORGIVE_EVERY; i++) {
            shares.add(share("bob", Verdict.AGREED, 1));
        }
        shares.add(share("bob", Verdict.DISAGREED, 1));
        end(rep, shares.toArray(Share[]::new));
        assertEquals(1, rep.recordOf("bob").strikes());
        assertEquals(2, rep.recordOf("bob").disagreed());
        Reputation again = Reputation.load(db, writer, config, new Random(7), () -> NOW);
        assertEquals(rep.records(), again.records());
    }
}
