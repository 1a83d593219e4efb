package idle.client.net;

import idle.shared.message.Message;
import idle.shared.message.Result;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one long-lived connection of a client to its server, as its users see it: requests
 * multiplexed over whichever physical connection is current, heartbeats, and coming back after a
 * network drop. The parts: a {@link Dialer} opens a physical connection (TCP, pinned TLS, hellos),
 * a {@link LoginHandshake} logs in on it, a {@link Link} multiplexes exchanges over it, a
 * {@link Reconnector} makes the next one after a drop, and {@link ConnectionEvents} tells the
 * {@link ConnectionListener}s.
 *
 * <h2>Exchanges</h2>
 * Every request this client opens gets the next positive id ({@link #open}, {@link #request},
 * {@link #call}); every frame the server sends with that id goes to the exchange's
 * {@link ExchangeHandler}. Frames with a negative id belong to exchanges the server opened; their
 * first frame goes to the {@link ServerRequestHandler} (the lender agent), which may
 * {@link #adopt} the id to receive the rest. A message too large for the wire format is refused
 * with a {@link RequestTooLargeException} before anything is sent; the connection is unharmed.
 *
 * <h2>Threads</h2>
 * Nothing here blocks the caller except {@link #connect} (use {@link #connectAsync} from a UI) and
 * {@link #close} (bounded by a short logout wait). A reader thread per physical connection decodes
 * frames and calls exchange handlers in arrival order; {@link ConnectionListener}s are called one
 * at a time on an event thread; the futures of {@link #request} and {@link #call} complete on the
 * reader thread, so chain only quick work on them (or use the {@code *Async} variants).
 *
 * <h2>Drops</h2>
 * When the connection drops (I/O error, end of stream, {@link ConnectionOptions#silenceTimeout()}
 * of silence) every open exchange hears {@link ExchangeHandler#onConnectionLost} and pending
 * requests fail with {@link ConnectionLostException}; with {@link ConnectionOptions#reconnect()}
 * the {@link Reconnector} then tries again, and listeners hear
 * {@link ConnectionListener#reconnected}; owners of long exchanges (the runner following a job,
 * the lender) re-establish them then. Without it, or once reconnecting gives up, the connection
 * is {@link ConnectionState#CLOSED} for good.
 */
public final class ServerConnection implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServerConnection.class.getName());

    private final ServerAddress address;
    private final Credentials credentials;
    private final ConnectionOptions options;
    private final Dialer dialer;
    private final LoginHandshake login;
    private final ConnectionEvents events = new ConnectionEvents();
    private final ScheduledExecutorService timer;
    private final Object stateLock = new Object();
    private final AtomicLong heartbeatToken = new AtomicLong();
    private final Link.Owner linkOwner = new LinkOwner();
    private volatile ServerRequestHandler serverRequestHandler;
    private volatile Link link;
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Result.Session session;
    private volatile boolean closing;
    private volatile Reconnector reconnector;
    private ScheduledFuture<?> heartbeatTask;

    private ServerConnection(ServerAddress address, Credentials credentials,
            ConnectionOptions options) {
        this.address = Objects.requireNonNull(address, "address");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.options = Objects.requireNonNull(options, "options");
        this.dialer = new Dialer(address, options);
        this.login = new LoginHandshake(address, credentials, options.clientName());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idle-conn-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects and logs in, blocking until logged in or refused.
     *
     * @param listener may be null; added before the first state change
     * @throws ConnectException with {@link ConnectException.Reason#UNREACHABLE} when no IDLE server
     *     answers, {@code BAD_CREDENTIALS}/{@code ACCOUNT_DISABLED}/{@code THROTTLED} when the
     *     login is refused, {@code UNTRUSTED} when the server's key is not the pinned one,
     *     {@code PROTOCOL} when the peer breaks the protocol or requires TLS (then the cause is a
     *     {@link idle.shared.tls.TlsFailure} of kind {@code SERVER_REQUIRES_TLS})
     */
    public static ServerConnection connect(ServerAddress address, Credentials credentials,
            ConnectionOptions options, ConnectionListener listener) throws ConnectException {
        ServerConnection c = new ServerConnection(address, credentials, options);
        if (listener != null) {
            c.events.add(listener);
        }
        c.fireState(ConnectionState.CONNECTING, "connecting to " + address);
        try {
            c.attach(c.openLink(false));
        } catch (ConnectException e) {
            c.shutdownThreads();
            c.state = ConnectionState.CLOSED;
            throw e;
        }
        return c;
    }

    /** {@link #connect} on a background thread; the future fails with a {@link ConnectException}. */
    public static CompletableFuture<ServerConnection> connectAsync(ServerAddress address,
            Credentials credentials, ConnectionOptions options, ConnectionListener listener) {
        CompletableFuture<ServerConnection> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                ServerConnection c = connect(address, credentials, options, listener);
                if (!f.complete(c)) {
                    c.close(); // the caller cancelled meanwhile
                }
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "idle-connect");
        t.setDaemon(true);
        t.start();
        return f;
    }

    // ---- public API ------------------------------------------------------------------------

    public ServerAddress address() {
        return address;
    }

    /** The logged-in user's name. */
    public String user() {
        Result.Session s = session;
        return s == null ? credentials.user() : s.user();
    }

    public boolean isAdmin() {
        Result.Session s = session;
        return s != null && s.admin();
    }

    public ConnectionState state() {
        return state;
    }

    public void addListener(ConnectionListener l) {
        events.add(l);
    }

    public void removeListener(ConnectionListener l) {
        events.remove(l);
    }

    /** Sets who hears exchanges the server opens (EXF, CAN). Null: they are refused with ILR. */
    public void setServerRequestHandler(ServerRequestHandler handler) {
        this.serverRequestHandler = handler;
    }

    /**
     * Opens an exchange: takes the next id, registers {@code handler} and sends {@code first}.
     *
     * @throws ConnectionLostException when not connected right now
     * @throws RequestTooLargeException when {@code first} does not fit the wire format (nothing
     *     was sent, the connection is unharmed)
     */
    public Exchange open(Message first, ExchangeHandler handler) throws IOException {
        Link l = currentLink();
        Exchange ex = l.register(l.nextId(), handler);
        try {
            ex.send(first);
        } catch (IOException | RuntimeException e) {
            ex.close(); // nothing went out under its id: nobody would ever answer it
            throw e;
        }
        return ex;
    }

    /**
     * Takes over an exchange the server opened (negative {@code requestId}) so that its later
     * frames go to {@code handler}. Call from {@link ServerRequestHandler#onServerRequest}.
     */
    public Exchange adopt(int requestId, ExchangeHandler handler) throws ConnectionLostException {
        if (requestId >= 0) {
            throw new IllegalArgumentException("server exchanges have negative ids: " + requestId);
        }
        return currentLink().register(requestId, handler);
    }

    /** Sends one message under an id without registering anything (e.g. answering a server CAN). */
    public void reply(int requestId, Message message) throws IOException {
        currentLink().send(requestId, message);
    }

    /**
     * Sends a request and completes with its first reply (SCF, FLD, NLA, ILR, OK or BYE). Later
     * frames under the id are ignored. Fails with {@link ConnectionLostException} on a drop, with
     * {@link RequestTooLargeException} when the request does not fit the wire format.
     */
    public CompletableFuture<Message> request(Message m) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        try {
            open(m, new ExchangeHandler() {
                @Override
                public void onMessage(Exchange ex, Message reply) {
                    ex.close();
                    f.complete(reply);
                }

                @Override
                public void onConnectionLost(Exchange ex, IOException cause) {
                    f.completeExceptionally(cause);
                }
            });
        } catch (IOException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    /**
     * Sends a request whose answer is {@code SCF}: completes with its result, or fails with a
     * {@link RequestException} (FLD, NLA, ILR) or an {@link IOException} as {@link #request} does.
     */
    public CompletableFuture<Result> call(Message m) {
        return request(m).thenCompose(reply -> {
            try {
                return CompletableFuture.completedFuture(expectSuccess(reply));
            } catch (RequestException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    /** The result of an {@code SCF}, or the refusal as an exception. */
    public static Result expectSuccess(Message reply) throws RequestException {
        return switch (reply) {
            case Message.Success s -> s.result();
            case Message.Failure f -> throw new RequestException(RequestException.Type.FAILED,
                    f.kind(), f.reason());
            case Message.NoLenders n -> throw new RequestException(
                    RequestException.Type.NO_LENDERS, null, n.reason());
            case Message.Illegal i -> throw new RequestException(RequestException.Type.ILLEGAL,
                    null, i.reason());
            default -> throw new RequestException(RequestException.Type.ILLEGAL, null,
                    "unexpected reply " + reply.code());
        };
    }

    /**
     * Logs out ({@code DCN}, waiting up to two seconds for {@code BYE}) and closes for good. Open
     * exchanges hear {@link ExchangeHandler#onConnectionLost}. Idempotent.
     */
    @Override
    public void close() {
        synchronized (stateLock) {
            if (closing) {
                return;
            }
            closing = true;
        }
        Reconnector r = reconnector;
        if (r != null) {
            r.stop();
        }
        Link l = link;
        if (l != null && !l.isDown()) {
            try {
                request(new Message.Logout()).get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.FINE, "logout without BYE", e);
            }
            l.fail(new ConnectionLostException("connection closed", null));
        }
        fireState(ConnectionState.CLOSED, "disconnected");
        shutdownThreads();
        credentials.destroy();
    }

    // ---- connection life -------------------------------------------------------------------

    private Link currentLink() throws ConnectionLostException {
        Link l = link;
        if (l == null || l.isDown() || closing) {
            throw new ConnectionLostException(closing ? "the connection is closed"
                    : "not connected to " + address + " right now", null);
        }
        return l;
    }

    /** Dials and logs in; returns a link whose reader is not started yet. */
    private Link openLink(boolean resume) throws ConnectException {
        Dialer.Dialed dialed = dialer.dial();
        Link l = new Link(dialed, linkOwner);
        Result.Session previous = session;
        String token = resume && previous != null ? previous.resumeToken() : null;
        try {
            session = login.run(l.channel(), l.nextId(), token);
            l.loggedIn();
            return l;
        } catch (ConnectException e) {
            dialed.close();
            throw e;
        } catch (IOException e) {
            dialed.close();
            throw new ConnectException(ConnectException.Reason.UNREACHABLE, "lost the connection to "
                    + address + " while logging in: " + Dialer.describe(e), e);
        }
    }

    /** Makes {@code l} the current link: starts its reader and the heartbeats. */
    private void attach(Link l) {
        link = l;
        Thread reader = new Thread(l::readLoop, "idle-conn-reader " + address);
        reader.setDaemon(true);
        reader.start();
        synchronized (stateLock) {
            if (heartbeatTask == null) {
                long ms = options.heartbeatInterval().toMillis();
                heartbeatTask = timer.scheduleAtFixedRate(this::heartbeat, ms, ms,
                        TimeUnit.MILLISECONDS);
            }
        }
        fireState(ConnectionState.CONNECTED, "connected to " + address + " as " + user());
        if (closing) {
            l.fail(new ConnectionLostException("connection closed", null));
        }
    }

    private void heartbeat() {
        Link l = link;
        if (l == null || l.isDown()) {
            return;
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - l.lastHeard());
        if (silentMs > options.silenceTimeout().toMillis()) {
            l.fail(new IOException("the server was silent for " + silentMs / 1000 + " s"));
            return;
        }
        request(new Message.Heartbeat(heartbeatToken.incrementAndGet()));
    }

    private void linkDown(Link l, IOException why) {
        if (l != link || closing) {
            return;
        }
        if (!options.reconnect()) {
            fireState(ConnectionState.CLOSED, "connection lost: " + Dialer.describe(why));
            closing = true;
            shutdownThreads();
            return;
        }
        fireState(ConnectionState.RECONNECTING, "connection lost (" + Dialer.describe(why)
                + "); reconnecting");
        Reconnector r = new Reconnector(options, new ReconnectTarget());
        reconnector = r;
        r.start();
    }

    private void fireState(ConnectionState s, String detail) {
        state = s;
        String printable = UntrustedText.clean(detail); // may quote an error the server caused
        events.fire(l -> l.stateChanged(s, printable));
    }

    private void shutdownThreads() {
        timer.shutdownNow();
        events.shutdown(); // delivers what is queued (the CLOSED state), then stops
    }

    /** The connection as the owner of its links. */
    private final class LinkOwner implements Link.Owner {
        @Override
        public void linkDown(Link l, IOException why) {
            ServerConnection.this.linkDown(l, why);
        }

        @Override
        public void serverShuttingDown(String reason) {
            events.fire(l -> l.serverShuttingDown(reason));
        }

        @Override
        public boolean serverRequest(int requestId, Message request) {
            ServerRequestHandler h = serverRequestHandler;
            if (h == null) {
                return false;
            }
            h.onServerRequest(ServerConnection.this, requestId, request);
            return true;
        }
    }

    /** The connection as its reconnector sees it. */
    private final class ReconnectTarget implements Reconnector.Target {
        @Override
        public Link open(boolean resume) throws ConnectException {
            return openLink(resume);
        }

        @Override
        public boolean hasSession() {
            return session != null;
        }

        @Override
        public boolean isClosing() {
            return closing;
        }

        @Override
        public void reconnected(Link l, boolean sessionResumed) {
            attach(l);
            events.fire(x -> x.reconnected(sessionResumed));
        }

        @Override
        public void retrying(String detail) {
            fireState(ConnectionState.RECONNECTING, detail);
        }

        @Override
        public void gaveUp(String why) {
            closing = true;
            fireState(ConnectionState.CLOSED, why);
            shutdownThreads();
        }
    }
}
