package idle.server;

import idle.shared.protocol.Code;
import idle.server.audit.AuditAction;
import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.server.admin.AdminCommands;
import idle.server.audit.AuditLog;
import idle.server.auth.Accounts;
import idle.server.auth.LoginGate;
import idle.server.auth.LoginThrottle;
import idle.server.auth.PasswordHasher;
import idle.server.auth.Pseudonyms;
import idle.server.auth.SessionTokens;
import idle.server.dispatch.Coordinator;
import idle.server.reputation.CreditNotices;
import idle.server.reputation.Reputation;
import idle.server.net.Acceptor;
import idle.server.net.LiveSessions;
import idle.server.net.ServerContext;
import idle.server.net.Session;
import idle.server.store.DataDirLock;
import idle.server.store.PrivateFiles;
import idle.server.store.StoreWriter;
import idle.shared.tls.ServerIdentity;
import idle.shared.tls.TlsContexts;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.io.UncheckedIOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The IDLE server, programmatically: {@link #start} returns once it accepts connections;
 * {@link #close} shuts it down cleanly (SDN to every client, a short wait for their SSD, then
 * every queued state change is written and the database closed).
 *
 * <pre>{@code
 * try (IdleServer server = IdleServer.start(ServerConfig.defaults(dir).withPort(0))) {
 *     server.accounts().addUser("alice", "secret".toCharArray(), false);
 *     connect to server.host() + ":" + server.port() ...
 * }
 * }</pre>
 */
public final class IdleServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IdleServer.class.getName());

    private final ServerConfig config;
    private final DataDirLock dirLock;
    private final ServerLogging logging;
    private final Database db;
    private final StoreWriter writer;
    private final Accounts accounts;
    private final Coordinator coordinator;
    private final Reputation reputation;
    private final Acceptor acceptor;
    private final long startedNanos;
    private final String tlsFingerprint;
    private volatile boolean closed;

    private IdleServer(ServerConfig config, DataDirLock dirLock, ServerLogging logging,
            Database db, StoreWriter writer, Accounts accounts, Coordinator coordinator,
            Reputation reputation, Acceptor acceptor, long startedNanos, String tlsFingerprint) {
        this.reputation = reputation;
        this.tlsFingerprint = tlsFingerprint;
        this.config = config;
        this.dirLock = dirLock;
        this.logging = logging;
        this.db = db;
        this.writer = writer;
        this.accounts = accounts;
        this.coordinator = coordinator;
        this.acceptor = acceptor;
        this.startedNanos = startedNanos;
    }

    /**
     * Opens the data directory (creating it on first use), recovers the jobs a previous run left
     * queued or running, and starts accepting connections.
     *
     * @throws UncheckedIOException when the port cannot be bound or the directory is in use
     */
    public static IdleServer start(ServerConfig config) {
        return start(config, DatabaseConfig.embedded(config.dataDir().resolve("db")));
    }

    /**
     * Like {@link #start(ServerConfig)} on the given database (for example PostgreSQL) instead
     * of the embedded one in the data directory, which still holds outputs, inputs and keys.
     */
    public static IdleServer start(ServerConfig config, DatabaseConfig database) {
        long t0 = System.nanoTime();
        DataDirLock lock = null;
        ServerLogging logging = null;
        Database db = null;
        StoreWriter writer = null;
        java.util.concurrent.CompletableFuture<Tls> tlsReady = null;
        try {
            PrivateFiles.createDirectories(config.dataDir());
            lock = DataDirLock.acquire(config.dataDir(), "pid " + ProcessHandle.current().pid()
                    + " starting");
            logging = ServerLogging.install(config.logToFile()
                    ? config.dataDir().resolve("idle.log") : null);
            // The TLS key and context (loading JSSE and the key: a few hundred ms of CPU on a
            // cold JVM) are made on a thread of their own while the database opens on this one.
            tlsReady = config.trust().tls()
                    ? java.util.concurrent.CompletableFuture.supplyAsync(() -> Tls.load(config),
                            r -> Thread.ofPlatform().name("idle-tls-init").daemon(true).start(r))
                    : java.util.concurrent.CompletableFuture.completedFuture(null);
            long tDb = System.nanoTime();
            db = Database.open(database);
            long dbMs = (System.nanoTime() - tDb) / 1_000_000;
            writer = new StoreWriter(db, config.commitBatch());
            AuditLog audit = new AuditLog(writer);
            SessionTokens tokens = new SessionTokens(config.resumeTokenLifetime(),
                    config.trust().sessionLifetime());
            PasswordHasher hasher = new PasswordHasher(config.pbkdf2Iterations());
            LiveSessions live = new LiveSessions();
            Accounts accounts = new Accounts(db, writer, hasher, audit, tokens, new LoginGate(),
                    live::endSessionsOf);
            Pseudonyms pseudonyms = Pseudonyms.load(config.dataDir().resolve("server-secret"));
            // lender accounts' records, standings and credit (issue 13): the dispatcher asks it
            // when placing work and writes each job's shares through it
            Reputation reputation = Reputation.load(db, writer, config.reputation());
            Coordinator coordinator = new Coordinator(config, db, writer, audit, pseudonyms,
                    reputation);
            long tRec = System.nanoTime();
            int[] rec = coordinator.recover();
            coordinator.retention().start(java.time.Duration.ofHours(1));
            long recMs = (System.nanoTime() - tRec) / 1_000_000;
            Database fdb = db;
            AdminCommands admin = new AdminCommands(fdb, accounts, coordinator::lenderLines,
                    coordinator.verifyDefaults(), reputation, coordinator::standingChanged);
            ServerContext ctx = new ServerContext(config, coordinator, accounts, tokens, audit,
                    admin::run, new LoginThrottle(config.trust().throttle()),
                    new CreditNotices(reputation));
            String fingerprint = null;
            javax.net.ssl.SSLContext tls = null;
            if (config.trust().tls()) {
                Tls t = Tls.await(tlsReady);
                tls = t.context();
                fingerprint = t.fingerprint();
            } else {
                LOG.warning("TLS is OFF (--insecure-plaintext): passwords, scripts and outputs "
                        + "cross the network readable by anyone on the path");
            }
            Acceptor acceptor = new Acceptor(config.bind(), config.port(), ctx, tls, live);
            acceptor.start();
            lock.describe("pid " + ProcessHandle.current().pid() + " listening on "
                    + acceptor.host() + ":" + acceptor.port());
            audit.record(null, AuditAction.START, 0, null, Code.SCF, "listening on "
                    + acceptor.host() + ":"
                    + acceptor.port(), null);
            IdleServer s = new IdleServer(config, lock, logging, db, writer, accounts,
                    coordinator, reputation, acceptor, t0, fingerprint);
            String fp = fingerprint;
            LOG.info(() -> "listening on " + acceptor.host() + ":" + acceptor.port() + (fp == null
                    ? " WITHOUT TLS" : " with TLS, key " + fp) + " (data "
                    + config.dataDir() + ", started in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms: database " + dbMs
                    + " ms, recovery of " + rec[0] + " queued jobs " + recMs + " ms)");
            return s;
        } catch (IOException | RuntimeException e) {
            if (writer != null) {
                writer.close();
            }
            if (db != null) {
                db.close();
            }
            if (logging != null) {
                logging.close();
            }
            if (tlsReady != null) {
                try {
                    tlsReady.join(); // it may be writing the key: done before the lock goes
                } catch (RuntimeException ignored) {
                    // failing anyway
                }
            }
            if (lock != null) {
                try {
                    lock.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    public ServerConfig config() {
        return config;
    }

    /** The port it listens on (the real one when configured with 0). */
    public int port() {
        return acceptor.port();
    }

    /** The address it listens on, e.g. "127.0.0.1". */
    public String host() {
        return acceptor.host();
    }

    /**
     * The fingerprint of the server's TLS key ({@code SHA256:...}) that clients pin, or null when
     * the server runs with {@code --insecure-plaintext}.
     */
    public String tlsFingerprint() {
        return tlsFingerprint;
    }

    /** The acceptor (connection caps, open sessions; for tests). */
    public Acceptor acceptor() {
        return acceptor;
    }

    /** User accounts: add, disable, enable, set passwords. */
    public Accounts accounts() {
        return accounts;
    }

    /** The job service (for tests and the admin view). */
    public Coordinator coordinator() {
        return coordinator;
    }

    /** Lender accounts' records, standings and credit. */
    public Reputation reputation() {
        return reputation;
    }

    /** The database (shared with the server; for tests and admin tools). */
    public Database database() {
        return db;
    }

    /** Group-commit statistics: {batches, changes}. */
    public long[] commitStats() {
        return writer.stats();
    }

    /**
     * Clean shutdown: stop accepting, SDN to every client, wait up to the configured grace for
     * their SSD, close the connections, write everything queued, close the database.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down");
        acceptor.stopAccepting();
        coordinator.stop();
        for (Session s : acceptor.sessions()) {
            s.shutdown("the server is shutting down");
        }
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (Session s : acceptor.sessions()) {
            try {
                long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
                s.awaitShutdownAck(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        acceptor.close();
        new AuditLog(writer).record(null, AuditAction.STOP, 0, null, Code.SCF, "clean shutdown",
                null);
        writer.close();
        try {
            db.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing the database", e);
        }
        LOG.info("stopped");
        logging.close();
        try {
            dirLock.close();
        } catch (IOException e) {
            // released by the OS at exit anyway
        }
    }

    /** The server's TLS context and its key's fingerprint, made while the database opens. */
    private record Tls(javax.net.ssl.SSLContext context, String fingerprint) {
        static Tls load(ServerConfig config) {
            try {
                ServerIdentity identity = config.trust().loadIdentity(config.dataDir());
                return new Tls(TlsContexts.server(identity), identity.fingerprint());
            } catch (GeneralSecurityException e) {
                throw new java.util.concurrent.CompletionException(new IOException(
                        "cannot load the server's TLS key: " + e.getMessage(), e));
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }

        /** Waits for {@link #load}; its failure is thrown as it was. */
        static Tls await(java.util.concurrent.CompletableFuture<Tls> f) throws IOException {
            try {
                return f.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
        }
    }
}
