package idle.db;

import idle.db.repository.jpa.AuditChain;
import idle.db.repository.jpa.JdbcLenderRecords;
import idle.shared.model.JobState;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.PersistenceException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.persistence.jpa.PersistenceProvider;

/**
 * The jobs database: one EntityManagerFactory for the life of the server, and short transactions
 * run through {@link #inTransaction}. Thread-safe: any thread may run transactions concurrently;
 * each gets its own EntityManager.
 *
 * <pre>{@code
 * try (Database db = Database.open(DatabaseConfig.embedded(dataDir.resolve("db")))) {
 *     long id = db.inTransaction(tx -> tx.jobs().add(job).getId());
 *     db.useTransaction(tx -> tx.audit().append(now, "alice", "RCS", 7, id, "SCF", "", addr));
 * }
 * }</pre>
 *
 * <p>The schema is created on first open and kept afterwards; opening reads no table. For an
 * on-disk embedded database, {@code derby.log} goes next to the database directory unless the
 * {@code derby.stream.error.file} or {@code derby.system.home} system property says otherwise.
 *
 * <p>Derby may abort a transaction that waited too long for a lock or took part in a deadlock
 * (SQLState 40XL1/40001, wrapped in a PersistenceException); such work may simply be retried.
 * PostgreSQL does the same with 40P01/40001.
 *
 * <p>Databases: embedded Derby (the default), the Derby network client, and PostgreSQL. The
 * EclipseLink platform is chosen from the URL; the SQL written here by hand (catalog reads,
 * migrations, the batched job and audit rows, history pages) is the part both accept
 * ({@code FETCH FIRST n ROWS ONLY}, unquoted upper-case names, SMALLINT flags), and
 * {@link PortableColumns} turns the entities' CLOB columns into TEXT on PostgreSQL. A PostgreSQL
 * database is held by one open Database at a time ({@link PostgresOwnerLock}), as embedded Derby
 * is by nature: the audit chain's head and the id sequences' caches assume one writer.
 */
public final class Database implements AutoCloseable {
    /** The persistence unit in {@code META-INF/persistence.xml}. */
    public static final String UNIT = "idle";

    private static final String EMBEDDED_DRIVER = "org.apache.derby.iapi.jdbc.AutoloadedDriver";
    private static final String CLIENT_DRIVER = "org.apache.derby.client.ClientAutoloadedDriver";
    private static final String POSTGRES_DRIVER = "org.postgresql.Driver";

    static final List<String> TABLES = List.of("USER_ACCOUNT", "JOB", "AUDIT_EVENT",
            "SWEEP");
    /** Index name to its DDL; created when missing (also on databases made by older versions). */
    private static final Map<String, String> EXTRA_INDEXES = Map.of(
            // open jobs (STATE_OPEN 1) and a verified job's replicas (either flag, VERIFY_OF)
            "JOB_OPEN_VERIFY_IX",
            "CREATE INDEX JOB_OPEN_VERIFY_IX ON JOB (STATE_OPEN, VERIFY_OF, ID)",
            // a sweep's tasks, and (SWEEP_ID 0) an owner's jobs of their own, newest first
            "JOB_SWEEP_IX", "CREATE INDEX JOB_SWEEP_IX ON JOB (SWEEP_ID, OWNER_NAME, ID DESC)");

    /**
     * Indexes of older versions that are dropped at open: each costs the group-commit writer
     * index work per row, and nothing reads it any more (the audit tail, everybody's job
     * history and an admin's listing of one owner's jobs, JOB_OWNER_DESC_IX's only reader, read
     * key ranges of the primary key, open jobs and replicas are found through
     * JOB_OPEN_VERIFY_IX, which replaced JOB_OPEN_IX and JOB_VERIFY_IX; the first audit event
     * since a time is found by a binary search of the primary key, see AuditChain, and a user's
     * audit events by reading windows of it, see JpaAuditRepository).
     */
    private static final List<String> OBSOLETE_INDEXES = List.of("AUDIT_ID_DESC_IX", "JOB_STATE_IX",
            "JOB_ID_DESC_IX", "JOB_OPEN_IX", "JOB_VERIFY_IX", "AUDIT_AT_IX", "AUDIT_USER_DESC_IX",
            "JOB_OWNER_DESC_IX");

    private final DatabaseConfig config;
    private final EntityManagerFactory emf;
    /** PostgreSQL only: held while open, so that one process at a time uses the database. */
    private final PostgresOwnerLock ownerLock;
    private final AuditChain auditChain = new AuditChain();
    private volatile boolean closed;

    private Database(DatabaseConfig config, EntityManagerFactory emf, PostgresOwnerLock ownerLock) {
        this.config = config;
        this.emf = emf;
        this.ownerLock = ownerLock;
    }

    /**
     * Opens (and on first use creates) the database and its schema.
     *
     * @throws PersistenceException when the database cannot be reached or created
     */
    public static Database open(DatabaseConfig config) {
        Objects.requireNonNull(config, "config");
        Map<String, Object> props = new HashMap<>();
        props.put("jakarta.persistence.jdbc.url", config.jdbcUrl());
        if (config.user() != null) {
            props.put("jakarta.persistence.jdbc.user", config.user());
        }
        if (config.password() != null) {
            props.put("jakarta.persistence.jdbc.password", config.password());
            props.put("eclipselink.login.encryptor", PlainPassword.class.getName());
        }
        if (config.isEmbeddedDerby()) {
            props.put("jakarta.persistence.jdbc.driver", EMBEDDED_DRIVER);
        } else if (config.isDerbyClient()) {
            props.put("jakarta.persistence.jdbc.driver", CLIENT_DRIVER);
        } else if (config.isPostgres()) {
            props.put("jakarta.persistence.jdbc.driver", POSTGRES_DRIVER);
        }
        if (config.isEmbeddedDerby() || config.isDerbyClient()) {
            props.put("eclipselink.target-database", "Derby");
        } else if (config.isPostgres()) {
            // (PostgreSQL labels result columns in lower case; EclipseLink matches the entities'
            // upper-case field names to them without regard to case, also in native queries)
            props.put("eclipselink.target-database", "PostgreSQL");
            props.put("eclipselink.session.customizer", PortableColumns.class.getName());
        }
        if (config.isEmbeddedDerby()) {
            placeDerbyLog(config);
            sizeTransactionLog();
        }
        PostgresOwnerLock ownerLock = null;
        if (config.isPostgres()) {
            try {
                ownerLock = PostgresOwnerLock.acquire(() -> connect(config), config.jdbcUrl());
            } catch (SQLException e) {
                throw new PersistenceException("cannot open " + config.jdbcUrl() + ": "
                        + messages(e), e);
            }
        }
        try {
            return open(config, props, ownerLock);
        } catch (RuntimeException | Error e) {
            if (ownerLock != null) {
                ownerLock.close();
            }
            throw e;
        }
    }

    private static Database open(DatabaseConfig config, Map<String, Object> props,
            PostgresOwnerLock ownerLock) {
        // Ask for the schema only when it is missing: creating it over an existing one would log
        // a warning per sequence at every start. One connection and one catalog query tell
        // which tables and indexes exist (Derby's DatabaseMetaData compiles large queries on first
        // use: seconds on a loaded machine).
        Schema schema = Schema.read(config);
        boolean schemaPresent = schema.missingTables().isEmpty();
        props.put("jakarta.persistence.schema-generation.database.action", schemaPresent ? "none" : "create");
        EntityManagerFactory emf = new PersistenceProvider().createEntityManagerFactory(UNIT, props);
        if (emf == null) {
            throw new PersistenceException("persistence unit '" + UNIT + "' not found");
        }
        try {
            // Log in (and create the schema) now, not in the first transaction.
            emf.createEntityManager().close();
            if (!schemaPresent) {
                schema = Schema.read(config);
                if (!schema.missingTables().isEmpty()) {
                    throw new PersistenceException("could not create the tables "
                            + schema.missingTables() + " in " + config.jdbcUrl()
                            + " (see the warnings logged above)");
                }
            }
            if (!schema.jobHasOpenFlag()) {
                addOpenFlag(config);
            }
            if (!schema.jobHasModuleNeeds()) {
                addModuleNeeds(config);
            }
            addSweepColumns(config);
            addVoteColumns(config);
            addLenderRecords(config);
            if (!schema.indexes().containsAll(EXTRA_INDEXES.keySet())
                    || OBSOLETE_INDEXES.stream().anyMatch(schema.indexes()::contains)) {
                fixIndexes(config, schema.indexes());
            }
        } catch (RuntimeException e) {
            emf.close();
            throw e;
        }
        return new Database(config, emf, ownerLock);
    }

    /**
     * Databases made before the STATE_OPEN column get it, filled from the state, so that
     * JOB_OPEN_VERIFY_IX (created next) finds their open jobs. Does nothing when the column exists.
     */
    private static void addOpenFlag(DatabaseConfig config) {
        try (Connection c = connect(config)) {
            if (Schema.hasColumn(c, config, "JOB", "STATE_OPEN")) {
                return;
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("ALTER TABLE JOB ADD COLUMN STATE_OPEN SMALLINT NOT NULL DEFAULT 1");
                StringBuilder terminal = new StringBuilder();
                for (JobState s : JobState.values()) {
                    if (s.isTerminal()) {
                        terminal.append(terminal.isEmpty() ? "'" : ", '").append(s.name()).append('\'');
                    }
                }
                st.executeUpdate("UPDATE JOB SET STATE_OPEN = 0 WHERE JOB_STATE IN (" + terminal + ")");
            }
            c.commit();
        } catch (SQLException e) {
            throw new PersistenceException("cannot add STATE_OPEN to JOB: " + messages(e), e);
        }
    }

    /**
     * Databases made before jobs had module needs get the MODULE_NEEDS column, empty (null reads
     * as no module needs), so that their jobs load and re-queue as before. Does nothing when the
     * column exists.
     */
    private static void addModuleNeeds(DatabaseConfig config) {
        try (Connection c = connect(config)) {
            if (Schema.hasColumn(c, config, "JOB", "MODULE_NEEDS")) {
                return;
            }
            try (Statement st = c.createStatement()) {
                st.executeUpdate("ALTER TABLE JOB ADD COLUMN MODULE_NEEDS "
                        + (config.isPostgres() ? "TEXT" : "CLOB"));
            }
        } catch (SQLException e) {
            throw new PersistenceException("cannot add MODULE_NEEDS to JOB: " + messages(e), e);
        }
    }

    /**
     * Databases made before sweeps get JOB.SWEEP_ID and JOB.TASK_INDEX (0: every older job is a
     * job of its own), so JOB_SWEEP_IX (created next) can be built. Does nothing when they exist.
     */
    private static void addSweepColumns(DatabaseConfig config) {
        try (Connection c = connect(config)) {
            if (Schema.hasColumn(c, config, "JOB", "SWEEP_ID")) {
                return;
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("ALTER TABLE JOB ADD COLUMN SWEEP_ID BIGINT NOT NULL DEFAULT 0");
                st.executeUpdate("ALTER TABLE JOB ADD COLUMN TASK_INDEX INTEGER NOT NULL DEFAULT 0");
            }
            c.commit();
        } catch (SQLException e) {
            throw new PersistenceException("cannot add SWEEP_ID to JOB: " + messages(e), e);
        }
    }

    /**
     * Databases made before verified jobs get JOB.VERIFY_OF (0: every older job is a job of its
     * own), JOB.VOTE (null: not verified) and USER_ACCOUNT.VERIFY_DEFAULT (0: the server's
     * default), so that JOB_OPEN_VERIFY_IX (created next) can be built. Does nothing when they exist.
     */
    private static void addVoteColumns(DatabaseConfig config) {
        try (Connection c = connect(config)) {
            if (Schema.hasColumn(c, config, "JOB", "VERIFY_OF")) {
                return;
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("ALTER TABLE JOB ADD COLUMN VERIFY_OF BIGINT NOT NULL DEFAULT 0");
                st.executeUpdate("ALTER TABLE JOB ADD COLUMN VOTE "
                        + (config.isPostgres() ? "TEXT" : "CLOB"));
                st.executeUpdate("ALTER TABLE USER_ACCOUNT ADD COLUMN VERIFY_DEFAULT SMALLINT"
                        + " NOT NULL DEFAULT 0");
            }
            c.commit();
        } catch (SQLException e) {
            throw new PersistenceException("cannot add VERIFY_OF to JOB: " + messages(e), e);
        }
    }

    /**
     * The LENDER_RECORD table (plain SQL, no entity: {@link JdbcLenderRecords}) is created when
     * missing, on new databases and on those made before lender records alike.
     */
    private static void addLenderRecords(DatabaseConfig config) {
        try (Connection c = connect(config)) {
            JdbcLenderRecords.createIfMissing(c);
        } catch (SQLException e) {
            throw new PersistenceException("cannot create LENDER_RECORD: " + messages(e), e);
        }
    }

    /**
     * Creates the indexes JPA annotations cannot express (descending ones, so that "newest first"
     * pages read an index in order instead of sorting every matching row: Derby scans indexes
     * forwards only) and drops obsolete ones.
     */
    private static void fixIndexes(DatabaseConfig config, Set<String> present) {
        try (Connection c = connect(config); Statement st = c.createStatement()) {
            for (Map.Entry<String, String> index : EXTRA_INDEXES.entrySet()) {
                if (!present.contains(index.getKey())) {
                    st.executeUpdate(index.getValue());
                }
            }
            for (String index : OBSOLETE_INDEXES) {
                if (present.contains(index)) {
                    st.executeUpdate("DROP INDEX " + index);
                }
            }
        } catch (SQLException e) {
            throw new PersistenceException("cannot create indexes: " + messages(e), e);
        }
    }

    /** Derby puts the useful part ("another instance ... has booted it") in the next exceptions. */
    static String messages(SQLException e) {
        StringBuilder sb = new StringBuilder();
        Set<String> seen = new HashSet<>();
        for (Throwable t = e; t != null; t = t instanceof SQLException s && s.getNextException() != null
                ? s.getNextException() : t.getCause()) {
            if (t.getMessage() != null && seen.add(t.getMessage())) {
                sb.append(sb.isEmpty() ? "" : " / ").append(t.getMessage());
            }
            if (seen.size() > 5) {
                break;
            }
        }
        return sb.toString();
    }

    /**
     * Derby writes derby.log into the working directory unless told otherwise: put it next to an
     * on-disk database, unless the application chose a place already.
     */
    private static void placeDerbyLog(DatabaseConfig config) {
        String base = config.baseUrl().substring("jdbc:derby:".length());
        if (base.startsWith("memory:") || base.startsWith("classpath:") || base.startsWith("jar:")
                || System.getProperty("derby.stream.error.file") != null
                || System.getProperty("derby.stream.error.field") != null
                || System.getProperty("derby.stream.error.method") != null
                || System.getProperty("derby.system.home") != null) {
            return;
        }
        Path dir = Path.of(base.startsWith("directory:") ? base.substring("directory:".length()) : base)
                .toAbsolutePath().getParent();
        if (dir != null) {
            System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
        }
    }

    /**
     * Derby writes its transaction log in synchronous ("rwd") mode: each write of a log buffer
     * waits for the disk. With the default three 32 KiB buffers, a group commit of a few hundred
     * changes (hundreds of KiB of log) waited for the disk many times before its commit; with
     * 1 MiB buffers it waits once, at the commit, which is what durability needs. Bigger log
     * files (16 MiB instead of 1 MiB) likewise mean fewer file switches, each of which syncs.
     * Both are read when a database boots; settings the application made are kept.
     */
    private static void sizeTransactionLog() {
        System.getProperties().putIfAbsent("derby.storage.logBufferSize", Integer.toString(1 << 20));
        System.getProperties().putIfAbsent("derby.storage.logSwitchInterval", Integer.toString(16 << 20));
    }

    static Connection connect(DatabaseConfig config) throws SQLException {
        Properties p = new Properties();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        return DriverManager.getConnection(config.jdbcUrl(), p);
    }

    public DatabaseConfig config() {
        return config;
    }

    /**
     * Runs {@code work} in a new transaction and commits it. When {@code work} (or the commit)
     * throws, the transaction is rolled back and the exception is rethrown unchanged. Entities
     * returned are detached.
     */
    public <T> T inTransaction(Function<Transaction, T> work) {
        Objects.requireNonNull(work, "work");
        if (closed) {
            throw new IllegalStateException("the database is closed");
        }
        if (ownerLock != null && ownerLock.lost()) {
            throw ownerLock.lostError();
        }
        EntityManager em = emf.createEntityManager();
        JpaTransaction tx = new JpaTransaction(em, auditChain);
        EntityTransaction et = em.getTransaction();
        try {
            et.begin();
            T result = work.apply(tx);
            tx.commit();
            return result;
        } catch (RuntimeException | Error e) {
            try {
                if (et.isActive()) {
                    et.rollback();
                }
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            tx.end();
            em.close();
        }
    }

    /** Like {@link #inTransaction(Function)} for work that returns nothing. */
    public void useTransaction(Consumer<Transaction> work) {
        Objects.requireNonNull(work, "work");
        inTransaction(tx -> {
            work.accept(tx);
            return null;
        });
    }

    /**
     * Closes the EntityManagerFactory and, for embedded Derby, shuts the database down cleanly so
     * that it can be opened again in this JVM. In-memory databases keep their data until the JVM
     * ends. Calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        emf.close();
        if (ownerLock != null) {
            ownerLock.close();
        }
        if (config.isEmbeddedDerby()) {
            shutdownEmbedded();
        }
    }

    private void shutdownEmbedded() {
        try {
            connect(new DatabaseConfig(config.baseUrl() + ";shutdown=true", config.user(),
                    config.password())).close();
        } catch (SQLException e) {
            // 08006: the database was shut down, which is what we asked for.
            if (!"08006".equals(e.getSQLState())) {
                throw new PersistenceException("could not shut down " + config.baseUrl(), e);
            }
        }
    }
}
