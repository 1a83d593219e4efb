package idle.server.reputation;

import idle.db.Database;
import idle.db.Transaction;
import idle.db.repository.LenderDelta;
import idle.db.repository.LenderRecord;
import idle.server.ReputationConfig;
import idle.server.dispatch.LenderTrust;
import idle.server.store.StoreWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * Lender accounts' reputation and credit: every record of table {@code LENDER_RECORD}, kept in
 * memory so that the dispatcher's questions ({@link #standingOf}, {@link #creditMillis},
 * {@link #drawSpotCheck}) never wait for the database. Standings follow {@link Standings}.
 *
 * <p>Life: {@link #load} reads every record once, at start (a new instance on the same database
 * sees the same standings). Afterwards the database changes only through this class, always in
 * the store writer's order: {@link #record} inside the transaction that ends a job, and
 * {@link #suspend} through {@link StoreWriter#call}; memory follows after each commit
 * ({@link #recorded}, and {@link #suspend} itself) with the same arithmetic
 * ({@link LenderRecord#plus}).
 *
 * <p>Threads: thread-safe. Reads take no lock. Listeners ({@link #onChange}) run on the thread
 * that changed a record (the store writer's, or an admin's) and must not block.
 */
public final class Reputation implements LenderTrust {
    private static final Logger LOG = Logger.getLogger(Reputation.class.getName());

    private final ReputationConfig config;
    private final StoreWriter writer;
    private final RandomGenerator random;
    private final LongSupplier clock;
    private final Map<String, LenderRecord> records;
    private final List<Consumer<LenderRecord>> listeners = new CopyOnWriteArrayList<>();

    private Reputation(ReputationConfig config, StoreWriter writer, RandomGenerator random,
            LongSupplier clock, Map<String, LenderRecord> records) {
        this.config = config;
        this.writer = writer;
        this.random = random;
        this.clock = clock;
        this.records = records;
    }

    /** Reads every record of {@code db}; spot checks drawn from a {@link SecureRandom}. */
    public static Reputation load(Database db, StoreWriter writer, ReputationConfig config) {
        return load(db, writer, config, new SecureRandom(), System::currentTimeMillis);
    }

    /**
     * As above, drawing spot checks from {@code random} (which must be thread-safe, as
     * {@link java.util.Random} and {@link SecureRandom} are) and stamping changes with
     * {@code clock} (ms since the epoch); tests pass a seeded one.
     */
    public static Reputation load(Database db, StoreWriter writer, ReputationConfig config,
            RandomGenerator random, LongSupplier clock) {
        Map<String, LenderRecord> records = new ConcurrentHashMap<>();
        for (LenderRecord r : db.inTransaction(tx -> tx.lenders().all())) {
            records.put(r.user(), r);
        }
        return new Reputation(config, writer, random, clock, records);
    }

    public ReputationConfig config() {
        return config;
    }

    // ---- the dispatcher's questions (memory only) ------------------------------------------

    @Override
    public Standing standingOf(String lenderUser) {
        return Standings.of(recordOf(lenderUser), config);
    }

    @Override
    public boolean drawSpotCheck() {
        double rate = config.spotCheckRate();
        return rate > 0 && (rate >= 1 || random.nextDouble() < rate);
    }

    @Override
    public long creditMillis(String user) {
        LenderRecord r = records.get(user);
        return r == null ? 0 : r.creditMillis();
    }

    /** The account's record (an empty one when it never lent). */
    public LenderRecord recordOf(String user) {
        LenderRecord r = records.get(user);
        return r != null ? r : LenderRecord.empty(user);
    }

    /** Every account's record, by name. */
    public List<LenderRecord> records() {
        List<LenderRecord> out = new ArrayList<>(records.values());
        out.sort(Comparator.comparing(LenderRecord::user));
        return out;
    }

    // ---- changes ---------------------------------------------------------------------------

    @Override
    public void record(Transaction tx, List<Share> shares) {
        for (LenderDelta d : ShareDeltas.of(shares, clock.getAsLong())) {
            tx.lenders().add(d);
        }
    }

    @Override
    public void recorded(List<Share> shares) {
        for (LenderDelta d : ShareDeltas.of(shares, clock.getAsLong())) {
            changed(records.compute(d.user(), (u, r) -> (r == null ? LenderRecord.empty(u) : r)
                    .plus(d)));
        }
    }

    /**
     * Suspends or resumes an account: written (and audited by the caller) first, then in
     * memory; its lenders' work follows through the listeners. Blocks until the write
     * committed; do not call on the store writer's thread.
     *
     * @return the record afterwards
     */
    public LenderRecord suspend(String user, boolean suspended) {
        long at = clock.getAsLong();
        writer.call(tx -> {
            tx.lenders().setSuspended(user, suspended, at);
            return null;
        });
        LenderRecord after = records.compute(user, (u, r) -> (r == null ? LenderRecord.empty(u)
                : r).withSuspended(suspended, at));
        changed(after);
        return after;
    }

    /**
     * Calls {@code listener} with an account's new record after each change of it (on the
     * changing thread; it must not block).
     */
    public void onChange(Consumer<LenderRecord> listener) {
        listeners.add(listener);
    }

    private void changed(LenderRecord r) {
        for (Consumer<LenderRecord> l : listeners) {
            try {
                l.accept(r);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a lender record listener failed", e);
            }
        }
    }
}
