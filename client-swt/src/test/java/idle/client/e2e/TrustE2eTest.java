package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.cli.Cli;
import idle.client.ui.service.ServiceException;
import idle.client.ui.service.ServicesSession;
import idle.fault.TcpProxy;
import idle.server.IdleServer;
import idle.server.ServerConfig;
import idle.client.net.ConnectException;
import idle.client.net.ConnectionListener;
import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.shared.tls.KnownServers;
import idle.shared.tls.ServerIdentity;
import idle.shared.tls.TlsFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients' side of issue 6 against the real server: TLS with pinning through the real
 * {@link ServerConnection} and command line, a changed key refused with exit 76, the first-use
 * callback the workbench supplies, plaintext refused clearly, and a dropped connection resuming
 * its session with the token.
 */
@Timeout(120)
class TrustE2eTest {
    @TempDir
    Path dir;
    Fixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new Fixture(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    ConnectionOptions options(String pins) {
        return ConnectionOptions.defaults().withKnownServers(dir.resolve(pins))
                .withMaxBackoff(Duration.ofMillis(300));
    }

    ServerConnection connect(String address, ConnectionOptions o, ConnectionListener l)
            throws ConnectException {
        return ServerConnection.connect(ServerAddress.parse(address),
                new Credentials("alice", Fixture.PASSWORD.toCharArray()), o, l);
    }

    @Test
    void theCommandLinePrintsTheFingerprintOnFirstUseAndPinsIt() throws Exception {
        Cli cli = new Cli(dir.resolve("cli")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD);
        Cli.Outcome first = cli.run("jobs", "--server", fx.address(), "--user", "alice");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.err().contains(fx.server.tlsFingerprint()), first.err());
        assertEquals(fx.server.tlsFingerprint(), new KnownServers(dir.resolve("cli/known_servers"))
                .pinFor(fx.address()).orElseThrow());
        Cli.Outcome again = cli.run("jobs", "--server", fx.address(), "--user", "alice");
        assertEquals(0, again.code(), again.toString());
        assertFalse(again.err().contains("first connection"), again.err());
    }

    @Test
    void aChangedKeyIsRefusedWithExit76AndAClearMessage() throws Exception {
        Path pins = dir.resolve("cli/known_servers");
        new KnownServers(pins).pin(fx.address(), ServerIdentity.generate().fingerprint());
        Cli.Outcome r = new Cli(dir.resolve("cli")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD)
                .run("jobs", "--server", fx.address(), "--user", "alice");
        assertEquals(76, r.code(), r.toString());
        assertTrue(r.err().contains("CHANGED") && r.err().contains(pins.toString())
                && r.err().contains(fx.server.tlsFingerprint()), r.err());
        ConnectException e = assertThrows(ConnectException.class, () -> connect(fx.address(),
                options("cli/known_servers"), null));
        assertEquals(ConnectException.Reason.UNTRUSTED, e.reason());
    }

    @Test
    void theWorkbenchsFirstUseCallbackDecides() throws Exception {
        AtomicReference<String> asked = new AtomicReference<>();
        ConnectException no = assertThrows(ConnectException.class, () -> connect(fx.address(),
                options("ui/known_servers").withFirstUse((hp, fp) -> {
                    asked.set(hp + " " + fp);
                    return false;
                }), null));
        assertEquals(ConnectException.Reason.UNTRUSTED, no.reason());
        assertEquals(fx.address() + " " + fx.server.tlsFingerprint(), asked.get());
        assertTrue(new KnownServers(dir.resolve("ui/known_servers")).pinFor(fx.address())
                .isEmpty(), "a refused key is not pinned");
        try (ServerConnection c = connect(fx.address(), options("ui/known_servers")
                .withFirstUse((hp, fp) -> true), null)) {
            assertEquals("alice", c.user());
        }
    }

    @Test
    void plaintextIsRefusedClearlyBothWays() throws Exception {
        Cli.Outcome r = new Cli(dir.resolve("cli")).withEnv("IDLE_PASSWORD", Fixture.PASSWORD)
                .run("jobs", "--server", fx.address(), "--user", "alice", "--insecure-plaintext");
        assertEquals(69, r.code(), r.toString());
        assertTrue(r.err().contains("WARNING") && r.err().contains("requires TLS"), r.err());
        // Typed, not read from the words: the refusal is the shared constant, reported as a
        // TlsFailure of its own kind under the connection error.
        ConnectException e = assertThrows(ConnectException.class, () -> connect(fx.address(),
                options("plain/known_servers").withInsecurePlaintext(true), null));
        assertEquals(ConnectException.Reason.PROTOCOL, e.reason());
        assertEquals(TlsFailure.Kind.SERVER_REQUIRES_TLS,
                assertInstanceOf(TlsFailure.class, e.getCause()).kind());
    }

    @Test
    void theWorkbenchServicesTalkPlaintextOnlyWhenAsked() throws Exception {
        try (IdleServer plain = IdleServer.start(ServerConfig.defaults(dir.resolve("plain"))
                .withPort(0).withPbkdf2Iterations(1_000).withLogToFile(false)
                .withInsecurePlaintext())) {
            plain.accounts().addUser("alice", Fixture.PASSWORD.toCharArray(), false);
            String address = plain.host() + ":" + plain.port();
            ServicesSession.LendingFactory noLending = (a, u, p) -> null;
            ConnectionOptions tls = options("ui/known_servers").withFirstUse((hp, fp) -> true)
                    .withReconnect(false);
            ServiceException refused = assertThrows(ServiceException.class,
                    () -> ServicesSession.opener(noLending, tls)
                            .open(address, "alice", Fixture.PASSWORD.toCharArray()));
            assertTrue(refused.getMessage().contains("plaintext"), refused.getMessage());
            try (ServicesSession session = (ServicesSession) ServicesSession.opener(noLending,
                    tls.withInsecurePlaintext(true)).open(address, "alice",
                    Fixture.PASSWORD.toCharArray())) {
                assertEquals("alice", session.user());
                assertTrue(session.pool().lendersOnline() == 0, "the session serves requests");
            }
        }
    }

    @Test
    void aDroppedConnectionResumesItsSessionWithTheToken() throws Exception {
        CompletableFuture<Boolean> resumed = new CompletableFuture<>();
        try (TcpProxy proxy = new TcpProxy(fx.server.host(), fx.server.port());
                ServerConnection c = connect(proxy.address(), options("proxy/known_servers"),
                        new ConnectionListener() {
                            @Override
                            public void reconnected(boolean sessionResumed) {
                                resumed.complete(sessionResumed);
                            }
                        })) {
            proxy.cut();
            assertTrue(resumed.get(60, TimeUnit.SECONDS), "resumed with the token, no new login");
            assertEquals(2, proxy.accepted());
            assertEquals("alice", c.user());
            assertTrue(new idle.client.runner.RunnerService(c).pool().get(20, TimeUnit.SECONDS)
                    .lendersOnline() >= 0, "the resumed session serves requests");
        }
    }
}
