package idle.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the server needs to start. Build one with {@link #defaults(Path)} and adjust it with
 * the {@code with...} methods; each returns a changed copy.
 *
 * @param dataDir the data directory: Derby database, output spool, inputs, secret, log
 * @param bind address to listen on ({@code 127.0.0.1} by default; {@code 0.0.0.0} for all)
 * @param port TCP port; 0 picks a free one ({@link IdleServer#port()} tells which)
 * @param heartbeatTimeout a connection silent this long is dropped (lenders: jobs re-queued)
 * @param maxAttempts how many times a job is handed to a lender before it is LOST
 * @param maxScriptBytes largest script accepted by RCS
 * @param maxInputBytes largest total size of a job's input files
 * @param maxOutputBytes largest output per job: stdout + stderr + files
 * @param pbkdf2Iterations PBKDF2-HMAC-SHA256 iterations for new password hashes
 * @param shutdownGrace how long {@link IdleServer#close()} waits for clients' SSD
 * @param commitBatch most state changes written in one transaction (group commit)
 * @param resumeTokenLifetime how long a session can be resumed after its connection dropped
 * @param logToFile write {@code idle.log} in the data directory
 * @param loginDeadline a connection must finish the version exchange and login within this
 * @param maxConnectionsPerAddress open connections one remote address may have
 * @param maxConnections open connections in all
 * @param trust TLS, login throttling, the outbox cap, session lifetime ({@link TrustConfig})
 * @param outputRetention how long the output and output files of an ended job are kept on disk
 *     (its row in the history stays); zero keeps them forever
 * @param maxSlotsPerLender most jobs one lender runs at once, whatever it claims (it also never
 *     gets more than the cores it reports)
 * @param dispatch what one account may take (jobs not ended, lender connections) and the script
 *     cache ({@link DispatchLimits})
 * @param reputation strikes, trust, spot checks and lend-to-earn priority
 *     ({@link ReputationConfig})
 */
public record ServerConfig(Path dataDir, String bind, int port, Duration heartbeatTimeout,
        int maxAttempts, int maxScriptBytes, int maxInputBytes, long maxOutputBytes,
        int pbkdf2Iterations, Duration shutdownGrace, int commitBatch,
        Duration resumeTokenLifetime, boolean logToFile, Duration loginDeadline,
        int maxConnectionsPerAddress, int maxConnections, TrustConfig trust,
        Duration outputRetention, int maxSlotsPerLender, DispatchLimits dispatch,
        ReputationConfig reputation) {

    public static final int DEFAULT_PORT = 8001;
    public static final int PBKDF2_ITERATIONS = 600_000;
    public static final int DEFAULT_MAX_SLOTS_PER_LENDER = 16;

    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(resumeTokenLifetime, "resumeTokenLifetime");
        Objects.requireNonNull(loginDeadline, "loginDeadline");
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(outputRetention, "outputRetention");
        Objects.requireNonNull(dispatch, "dispatch");
        Objects.requireNonNull(reputation, "reputation");
        if (outputRetention.isNegative()) {
            throw new IllegalArgumentException("outputRetention must not be negative");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " outside 0..65535");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (maxScriptBytes < 1 || maxInputBytes < 0 || maxOutputBytes < 0) {
            throw new IllegalArgumentException("size limits must be positive");
        }
        if (pbkdf2Iterations < 1) {
            throw new IllegalArgumentException("pbkdf2Iterations must be positive");
        }
        if (maxConnectionsPerAddress < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("connection caps must be positive");
        }
        if (commitBatch < 1) {
            throw new IllegalArgumentException("commitBatch must be at least 1");
        }
        if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
            throw new IllegalArgumentException("heartbeatTimeout must be positive");
        }
        if (maxSlotsPerLender < 1) {
            throw new IllegalArgumentException("maxSlotsPerLender must be at least 1");
        }
    }

    /** The defaults: 127.0.0.1:8001, 15 s heartbeat timeout, 3 attempts, 1 MiB scripts, 3 MiB
     *  inputs, 512 MiB output per job, 600,000 PBKDF2 iterations, outputs kept 30 days, at most
     *  16 jobs at once per lender. */
    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig(dataDir, "127.0.0.1", DEFAULT_PORT, Duration.ofSeconds(15), 3,
                1 << 20, 3 << 20, 512L << 20, PBKDF2_ITERATIONS, Duration.ofSeconds(2), 500,
                Duration.ofMinutes(10), true, Duration.ofSeconds(10), 2_048, 20_000,
                TrustConfig.defaults(), Duration.ofDays(30), DEFAULT_MAX_SLOTS_PER_LENDER,
                DispatchLimits.defaults(), ReputationConfig.defaults());
    }

    /** The default data directory, {@code ~/.idle/server}. */
    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".idle", "server");
    }

    public ServerConfig withDataDir(Path v) {
        return new ServerConfig(v, bind, port, heartbeatTimeout, maxAttempts, maxScriptBytes,
                maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withBind(String v) {
        return new ServerConfig(dataDir, v, port, heartbeatTimeout, maxAttempts, maxScriptBytes,
                maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withPort(int v) {
        return new ServerConfig(dataDir, bind, v, heartbeatTimeout, maxAttempts, maxScriptBytes,
                maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withHeartbeatTimeout(Duration v) {
        return new ServerConfig(dataDir, bind, port, v, maxAttempts, maxScriptBytes,
                maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withMaxAttempts(int v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, v, maxScriptBytes,
                maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withMaxScriptBytes(int v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts, v,
                maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withMaxInputBytes(int v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, v, maxOutputBytes, pbkdf2Iterations, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withMaxOutputBytes(long v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, v, pbkdf2Iterations, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withPbkdf2Iterations(int v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, v, shutdownGrace, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withShutdownGrace(Duration v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, v, commitBatch,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withCommitBatch(int v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace, v,
                resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withResumeTokenLifetime(Duration v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, v, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withLogToFile(boolean v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, resumeTokenLifetime, v, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withLoginDeadline(Duration v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, resumeTokenLifetime, logToFile, v,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withMaxConnections(int perAddress, int total) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, resumeTokenLifetime, logToFile, loginDeadline, perAddress, total,
                trust, outputRetention, maxSlotsPerLender, dispatch, reputation);
    }

    public ServerConfig withTrust(TrustConfig v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, v, outputRetention, maxSlotsPerLender,
                dispatch, reputation);
    }

    public ServerConfig withOutputRetention(Duration v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, v, maxSlotsPerLender,
                dispatch, reputation);
    }

    public ServerConfig withMaxSlotsPerLender(int v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention, v, dispatch,
                reputation);
    }

    public ServerConfig withDispatch(DispatchLimits v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, v, reputation);
    }

    public ServerConfig withReputation(ReputationConfig v) {
        return new ServerConfig(dataDir, bind, port, heartbeatTimeout, maxAttempts,
                maxScriptBytes, maxInputBytes, maxOutputBytes, pbkdf2Iterations, shutdownGrace,
                commitBatch, resumeTokenLifetime, logToFile, loginDeadline,
                maxConnectionsPerAddress, maxConnections, trust, outputRetention,
                maxSlotsPerLender, dispatch, v);
    }

    /** Plaintext on the wire (tests, trusted networks): see {@link TrustConfig#withInsecurePlaintext}. */
    public ServerConfig withInsecurePlaintext() {
        return withTrust(trust.withInsecurePlaintext());
    }
}
