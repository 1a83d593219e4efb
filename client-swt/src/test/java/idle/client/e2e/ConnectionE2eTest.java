package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.net.ConnectException;
import idle.client.net.ConnectionListener;
import idle.client.net.ConnectionLostException;
import idle.client.net.ConnectionOptions;
import idle.client.net.ConnectionState;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.RequestTooLargeException;
import idle.client.net.ServerConnection;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.fault.TcpProxy;
import idle.shared.message.Message;
import idle.shared.model.JobNeeds;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Limits;
import idle.shared.protocol.Sha256;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The connection's life against the real server: async login, silence detection, giving up, logout. */
@Timeout(60)
class ConnectionE2eTest {
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

    /** Records state changes and lets a test wait for one. */
    static final class States implements ConnectionListener {
        final List<ConnectionState> seen = new CopyOnWriteArrayList<>();
        final List<String> details = new CopyOnWriteArrayList<>();
        final List<String> shutdowns = new CopyOnWriteArrayList<>();

        @Override
        public void serverShuttingDown(String reason) {
            shutdowns.add(reason);
        }

        @Override
        public synchronized void stateChanged(ConnectionState state, String detail) {
            seen.add(state);
            details.add(state + ": " + detail);
            notifyAll();
        }

        synchronized void await(ConnectionState s, int occurrences) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen.stream().filter(x -> x == s).count() < occurrences) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("no " + s + " in " + details);
                }
                wait(left);
            }
        }
    }

    @Test
    void connectAsyncCompletesOffTheCallersThreadWithTheSessionOrTheReason() throws Exception {
        CompletableFuture<ServerConnection> ok = ServerConnection.connectAsync(
                ServerAddress.parse(fx.address()), new Credentials("alice", Fixture.PASSWORD.toCharArray()),
                ConnectionOptions.defaults(), null);
        try (ServerConnection c = ok.get(20, TimeUnit.SECONDS)) {
            assertEquals("alice", c.user());
            assertEquals(ConnectionState.CONNECTED, c.state());
            assertTrue(new RunnerService(c).pool().get(10, TimeUnit.SECONDS).lendersOnline() >= 0);
        }
        CompletableFuture<ServerConnection> bad = ServerConnection.connectAsync(
                ServerAddress.parse(fx.address()), new Credentials("alice", "nope".toCharArray()),
                ConnectionOptions.defaults(), null);
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(20, TimeUnit.SECONDS));
        assertEquals(ConnectException.Reason.BAD_CREDENTIALS,
                assertInstanceOf(ConnectException.class, e.getCause()).reason());
    }

    @Test
    void aSilentServerIsNoticedByHeartbeatsAndTheConnectionComesBack() throws Exception {
        try (TcpProxy proxy = new TcpProxy(fx.server.host(), fx.server.port())) {
            States states = new States();
            ServerConnection c = ServerConnection.connect(ServerAddress.parse(proxy.address()),
                    new Credentials("alice", Fixture.PASSWORD.toCharArray()),
                    ConnectionOptions.defaults().withHeartbeat(Duration.ofMillis(300), Duration.ofSeconds(2))
                            .withMaxBackoff(Duration.ofMillis(300)), states);
            try (c) {
                states.await(ConnectionState.CONNECTED, 1);
                proxy.stallExisting(); // frames vanish, nothing is closed
                states.await(ConnectionState.RECONNECTING, 1);
                assertTrue(states.details.stream().anyMatch(d -> d.contains("silent")), states.details.toString());
                states.await(ConnectionState.CONNECTED, 2);
                assertEquals(ConnectionState.CONNECTED, c.state());
                assertTrue(new RunnerService(c).pool().get(10, TimeUnit.SECONDS) != null);
            }
            states.await(ConnectionState.CLOSED, 1);
        }
    }

    @Test
    void whileTheServerIsGoneRequestsFailAtOnceAndTheConnectionGivesUpWhenToldTo() throws Exception {
        TcpProxy proxy = new TcpProxy(fx.server.host(), fx.server.port());
        States states = new States();
        ServerConnection c = ServerConnection.connect(ServerAddress.parse(proxy.address()),
                new Credentials("alice", Fixture.PASSWORD.toCharArray()),
                ConnectionOptions.defaults().withMaxBackoff(Duration.ofMillis(200))
                        .withGiveUpAfter(Duration.ofSeconds(2)), states);
        RunnerService runner = new RunnerService(c);
        proxy.close();
        states.await(ConnectionState.RECONNECTING, 1);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> runner.pool().get(10, TimeUnit.SECONDS));
        assertInstanceOf(ConnectionLostException.class, e.getCause());
        states.await(ConnectionState.CLOSED, 1);
        assertTrue(states.details.get(states.details.size() - 1).contains("gave up"), states.details.toString());
        ExecutionException after = assertThrows(ExecutionException.class,
                () -> runner.submit(JobRequest.of("x.py", "print(1)"), null).get(10, TimeUnit.SECONDS));
        assertInstanceOf(ConnectionLostException.class, after.getCause());
        c.close();
    }

    @Test
    void aMessageTooLargeToSendFailsAloneAndTheConnectionStaysUp() throws Exception {
        try (ServerConnection c = fx.connect("alice")) {
            byte[] script = new byte[5 << 20];
            Message.RunScript huge = new Message.RunScript("huge.py", script, Sha256.hex(script),
                    List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> c.request(huge).get(10, TimeUnit.SECONDS));
            RequestTooLargeException tooLarge = assertInstanceOf(RequestTooLargeException.class, e.getCause());
            assertEquals(Limits.MAX_PAYLOAD, tooLarge.limit());
            assertTrue(tooLarge.getMessage().contains("the largest request IDLE's protocol carries is 4 MiB"),
                    tooLarge.getMessage());
            Message.RunScript longName = new Message.RunScript("x".repeat(70_000), new byte[0],
                    Sha256.hex(new byte[0]), List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE);
            ExecutionException name = assertThrows(ExecutionException.class,
                    () -> c.request(longName).get(10, TimeUnit.SECONDS));
            assertInstanceOf(RequestTooLargeException.class, name.getCause());

            RunnerService runner = new RunnerService(c);
            ExecutionException viaRunner = assertThrows(ExecutionException.class, () -> runner.submit(
                    new JobRequest("huge.py", script, List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE),
                    null).get(10, TimeUnit.SECONDS));
            assertInstanceOf(RequestTooLargeException.class, viaRunner.getCause());
            assertEquals(ConnectionState.CONNECTED, c.state());
            assertTrue(runner.pool().get(10, TimeUnit.SECONDS).lendersOnline() >= 0, "still usable");
        }
    }

    @Test
    void aServerShutdownIsAnnouncedAndTheClientWaitsToReconnect() throws Exception {
        States states = new States();
        ServerConnection c = ServerConnection.connect(ServerAddress.parse(fx.address()),
                new Credentials("alice", Fixture.PASSWORD.toCharArray()),
                ConnectionOptions.defaults().withMaxBackoff(Duration.ofMillis(200)), states);
        try (c) {
            fx.server.close();
            states.await(ConnectionState.RECONNECTING, 1);
            assertEquals(1, states.shutdowns.size(), "SDN reached the client: " + states.details);
        }
    }
}
