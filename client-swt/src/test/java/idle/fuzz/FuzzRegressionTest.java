package idle.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.server.IdleServer;
import idle.server.ServerConfig;
import idle.server.TrustConfig;
import idle.shared.tls.ServerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Crashes the fuzzer found, replayed byte for byte against a real server (over TLS here, as in
 * production): each must now be handled without an unexpected exception or a hang.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzRegressionTest {
    IdleServer server;
    ServerFuzzer fuzzer;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "fuzz-regression-" + System.nanoTime()));
        server = IdleServer.start(ServerConfig.defaults(dir).withPort(0).withPbkdf2Iterations(1_000)
                .withLogToFile(false).withHeartbeatTimeout(Duration.ofSeconds(3))
                .withLoginDeadline(Duration.ofSeconds(3))
                .withTrust(TrustConfig.defaults().withIdentity(ServerIdentity.generate())));
        server.accounts().addUser(FuzzRun.USER, FuzzRun.PASSWORD.toCharArray(), false);
        fuzzer = new ServerFuzzer(server, FuzzRun.USER, FuzzRun.PASSWORD);
    }

    @AfterAll
    void stop() {
        fuzzer.detach();
        server.close();
    }

    private void replay(ServerFuzzer.Phase phase, String hex) throws Exception {
        assertTrue(fuzzer.replay(phase, HexFormat.of().parseHex(hex)), "setup of " + phase);
        assertTrue(fuzzer.problems.isEmpty(), String.join("\n\n", fuzzer.problems));
    }

    /** GOF with a NUL in the file name: Path.resolve threw InvalidPathException in the session. */
    @Test
    void getOutputFileWithANulInTheName() throws Exception {
        replay(ServerFuzzer.Phase.LENDER, "474f4600fffffffd0000001f000000000000002a001572c3a97375"
                + "6c746174732f0000271120312e706e6746494e00ffffffea000080007fffffffffffffff7fffff"
                + "ff04001e62777261703a2063616e6e6f7420637265617465206e616d6573706163650000000000"
                + "000000000000000000000000000000000000000000000000000000");
    }
}
