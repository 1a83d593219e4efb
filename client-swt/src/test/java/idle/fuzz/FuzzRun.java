package idle.fuzz;

import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.server.IdleServer;
import idle.server.ServerConfig;
import idle.server.TrustConfig;
import idle.server.auth.LoginThrottle;
import idle.shared.message.SampleMessages;
import idle.shared.protocol.Frame;
import idle.shared.tls.ServerIdentity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One fuzzing run, shared by {@code ./idle fuzz} ({@link FuzzMain}) and the short run in the
 * tests ({@link FuzzTest}): the codec in-process, then a real server on real sockets, then a
 * normal login through the real client to show the server still serves.
 */
final class FuzzRun {
    /** What to run. */
    record Options(long seed, long codecInputs, long serverFrames, Duration time, int workers,
            boolean tls, Path workDir) {
    }

    /** What happened. */
    record Report(long codecInputs, long codecFrames, int corpus, int outcomes, long serverFrames,
            long sessions, long closedByServer, long millis, List<String> problems,
            boolean loginAfterwards) {
        boolean ok() {
            return problems.isEmpty() && loginAfterwards;
        }

        String summary() {
            return String.format("fuzz: codec %,d inputs (%,d frames, corpus %d, %d outcomes); "
                    + "server %,d frames in %,d sessions (%,d closed by the server); %.1f s; "
                    + "%d problems; normal login afterwards: %s", codecInputs, codecFrames, corpus,
                    outcomes, serverFrames, sessions, closedByServer, millis / 1000.0,
                    problems.size(), loginAfterwards ? "ok" : "FAILED");
        }
    }

    static final String USER = "fuzzer";
    static final String PASSWORD = "fuzz-password";

    private FuzzRun() {
    }

    static Report run(Options o, PrintStream log) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + o.time().toNanos();
        List<String> problems = new ArrayList<>();
        // 1. The codec, in-process (a fifth of the time at most).
        List<byte[]> seeds = new ArrayList<>();
        for (Frame f : SampleMessages.frames()) {
            seeds.add(f.toBytes());
        }
        CodecFuzzer codec = new CodecFuzzer(seeds, o.seed());
        CodecFuzzer.Crash crash = codec.run(o.codecInputs(), t0 + o.time().toNanos() / 5);
        if (crash != null) {
            problems.add("codec crash: " + crash.describe());
        }
        log.printf("fuzz: codec: %,d inputs, %,d frames, corpus %d, %d distinct outcomes%n",
                codec.inputs, codec.frames, codec.corpusSize(), codec.outcomeCount());
        // 2. A real server.
        Path dir = o.workDir().resolve("fuzz-" + System.nanoTime());
        TrustConfig trust = (o.tls() ? TrustConfig.defaults().withIdentity(
                ServerIdentity.generate()) : TrustConfig.defaults().withInsecurePlaintext())
                .withThrottle(new LoginThrottle.Policy(Duration.ofMillis(1), Duration.ofMillis(20),
                        Duration.ofMillis(10), 1_000_000, Duration.ofMillis(20),
                        Duration.ofMinutes(1), Duration.ofSeconds(1)));
        ServerConfig cfg = ServerConfig.defaults(dir).withPort(0).withPbkdf2Iterations(1_000)
                .withLogToFile(false).withHeartbeatTimeout(Duration.ofSeconds(3))
                .withLoginDeadline(Duration.ofSeconds(3)).withTrust(trust);
        boolean loginOk = false;
        ServerFuzzer sf;
        try (IdleServer server = IdleServer.start(cfg)) {
            server.accounts().addUser(USER, PASSWORD.toCharArray(), false);
            sf = new ServerFuzzer(server, USER, PASSWORD);
            try {
                sf.run(o.seed(), o.workers(), o.serverFrames(), deadline);
            } finally {
                sf.detach();
            }
            problems.addAll(sf.problems);
            // 3. The server still serves a normal login.
            try (ServerConnection c = ServerConnection.connect(
                    new ServerAddress(server.host(), server.port()),
                    new Credentials(USER, PASSWORD.toCharArray()),
                    ConnectionOptions.defaults().withClientName("idle-fuzz-check/1.0")
                            .withReconnect(false).withInsecurePlaintext(!o.tls())
                            .withKnownServers(dir.resolve("known_servers")), null)) {
                loginOk = USER.equals(c.user());
            } catch (IOException e) {
                problems.add("no normal login after fuzzing: " + e.getMessage());
            }
        } finally {
            deleteQuietly(dir);
        }
        Report r = new Report(codec.inputs, codec.frames, codec.corpusSize(),
                codec.outcomeCount(), sf.frames.get(), sf.sessions.get(), sf.closedByServer.get(),
                (System.nanoTime() - t0) / 1_000_000, problems, loginOk);
        log.println(r.summary());
        for (String p : problems) {
            log.println("PROBLEM: " + p);
        }
        return r;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // left for the next clean
        }
    }
}
