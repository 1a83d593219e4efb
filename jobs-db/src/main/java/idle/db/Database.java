package idle.db;

import idle.db.repository.jpa.AuditChain;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.PersistenceException;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
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
 * <p>The schema is created on first open and kept afterwards; opening reads no table.
 */
public final class Database implements AutoCloseable {
    /** The persistence unit in {@code META-INF/persistence.xml}. */
    public static final String UNIT = "idle";

    private static final String EMBEDDED_DRIVER = "org.apache.derby.iapi.jdbc.AutoloadedDriver";
    private static final String CLIENT_DRIVER = "org.apache.derby.client.ClientAutoloadedDriver";

    private final DatabaseConfig config;
    private final EntityManagerFactory emf;
    private final AuditChain auditChain = new AuditChain();
    private volatile boolean closed;

    private Database(DatabaseConfig config, EntityManagerFactory emf) {
        this.config = config;
        this.emf = emf;
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
        }
        if (config.isEmbeddedDerby()) {
            props.put("jakarta.persistence.jdbc.driver", EMBEDDED_DRIVER);
        } else if (config.isDerbyClient()) {
            props.put("jakarta.persistence.jdbc.driver", CLIENT_DRIVER);
        }
        EntityManagerFactory emf = new PersistenceProvider().createEntityManagerFactory(UNIT, props);
        if (emf == null) {
            throw new PersistenceException("persistence unit '" + UNIT + "' not found");
        }
        try {
            // Log in and create the schema now, not in the first transaction.
            emf.createEntityManager().close();
        } catch (RuntimeException e) {
            emf.close();
            throw e;
        }
        return new Database(config, emf);
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
        if (config.isEmbeddedDerby()) {
            shutdownEmbedded();
        }
    }

    private void shutdownEmbedded() {
        Properties p = new Properties();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        try {
            DriverManager.getConnection(config.baseUrl() + ";shutdown=true", p).close();
        } catch (SQLException e) {
            // 08006: the database was shut down, which is what we asked for.
            if (!"08006".equals(e.getSQLState())) {
                throw new PersistenceException("could not shut down " + config.baseUrl(), e);
            }
        }
    }
}
