package idle.client.e2e;

import idle.client.lender.JobLog;
import idle.client.lender.LenderAgent;
import idle.client.lender.LenderListener;
import idle.client.lender.LenderSettings;
import idle.client.lender.PythonInterpreter;
import idle.client.lender.Sandbox;
import idle.client.lender.ServedJob;
import idle.client.net.ConnectException;
import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.client.runner.RunnerService;
import idle.db.DatabaseConfig;
import idle.server.IdleServer;
import idle.server.ServerConfig;
import idle.server.TrustConfig;
import idle.shared.tls.ServerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real server started in this JVM, real lender agents with the real sandbox, and runner
 * connections: everything an end-to-end test needs, closed together.
 */
final class Fixture implements AutoCloseable {
    static final String PASSWORD = "correct horse battery staple";
    /** How long e2e tests wait for a state they poll for (generous: the machine is shared). */
    static final Duration WAIT = Duration.ofSeconds(30);
    /** Reachable by the unprivileged sandbox user (a @TempDir is private). */
    static final Path WORK_ROOT = Path.of("target", "sandbox-work").toAbsolutePath();

    /** One TLS key for every test server of this JVM, so no pin file ever sees a key change. */
    static final ServerIdentity IDENTITY = identity();

    final IdleServer server;
    final Path dir;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    Fixture(Path dir) throws Exception {
        this(dir, DatabaseConfig.embedded(dir.resolve("server").resolve("db")));
    }

    /** A server on {@code database} (for example PostgreSQL) instead of the embedded one. */
    Fixture(Path dir, DatabaseConfig database) throws Exception {
        this.dir = dir;
        ServerConfig config = ServerConfig.defaults(dir.resolve("server")).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false)
                .withTrust(TrustConfig.defaults().withIdentity(IDENTITY));
        this.server = IdleServer.start(config, database);
        for (String u : List.of("alice", "bob", "lender1", "lender2", "lender3", "carol")) {
            server.accounts().addUser(u, PASSWORD.toCharArray(), false);
        }
    }

    private static ServerIdentity identity() {
        try {
            return ServerIdentity.generate();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String address() {
        return server.host() + ":" + server.port();
    }

    ServerConnection connect(String user) throws ConnectException {
        return connect(user, address());
    }

    ServerConnection connect(String user, String address) throws ConnectException {
        ServerConnection c = ServerConnection.connect(ServerAddress.parse(address),
                new Credentials(user, PASSWORD.toCharArray()),
                ConnectionOptions.defaults().withMaxBackoff(Duration.ofMillis(500))
                        .withKnownServers(dir.resolve("known_servers")), null);
        closeables.add(c);
        return c;
    }

    RunnerService runner(String user) throws ConnectException {
        return new RunnerService(connect(user));
    }

    /** A lender as {@code user}, registered and ready. */
    Lender lender(String user, int maxJobs) throws Exception {
        return lender(user, maxJobs, address());
    }

    Lender lender(String user, int maxJobs, String address) throws Exception {
        return lender(user, address, LenderSettings.defaults(dir.resolve("client-" + user))
                .withMaxJobs(maxJobs).withLimits(10, 256, 30, 16).withWorkRoot(WORK_ROOT));
    }

    Lender lender(String user, String address, LenderSettings s) throws Exception {
        return lender(user, address, s, null);
    }

    /** A lender whose agent checks its environments for changes every {@code inventoryCheck}. */
    Lender lender(String user, String address, LenderSettings s, Duration inventoryCheck)
            throws Exception {
        ServerConnection c = connect(user, address);
        List<PythonInterpreter> pythons = new ArrayList<>();
        for (Path p : s.pythons().isEmpty() ? java.util.Collections.<Path>singletonList(null)
                : s.pythons()) {
            pythons.add(PythonInterpreter.locate(p));
        }
        Sandbox sandbox = Sandbox.create(s, pythons);
        closeables.add(sandbox);
        Lender l = new Lender(c, sandbox);
        if (inventoryCheck != null) {
            l.agent.checkInventoryEvery(inventoryCheck);
        }
        l.pseudonym = l.agent.start().get(20, TimeUnit.SECONDS);
        closeables.add(l.agent);
        return l;
    }

    /** One lender agent and what it reported. */
    static final class Lender {
        final ServerConnection connection;
        final LenderAgent agent;
        final List<ServedJob> served = new CopyOnWriteArrayList<>();
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<Long> started = new CopyOnWriteArrayList<>();
        final List<idle.shared.model.LenderCredit> credits = new CopyOnWriteArrayList<>();
        String pseudonym;

        Lender(ServerConnection c, Sandbox sandbox) {
            this.connection = c;
            this.agent = new LenderAgent(c, sandbox, new JobLog(sandbox.settings().dataDir()),
                    new LenderListener() {
                        @Override
                        public void log(String line) {
                            log.add(line);
                        }

                        @Override
                        public void jobStarted(long jobId, int attempt, String name, String sha) {
                            started.add(jobId);
                        }

                        @Override
                        public void jobFinished(ServedJob job) {
                            served.add(job);
                        }

                        @Override
                        public void creditChanged(idle.shared.model.LenderCredit credit) {
                            credits.add(credit);
                        }
                    });
        }
    }

    Path script(String name, String source) throws Exception {
        Path p = dir.resolve("scripts").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, source);
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        server.close();
    }
}
