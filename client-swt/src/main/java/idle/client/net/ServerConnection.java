package idle.client.net;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.ProtocolException;
import idle.shared.tls.KnownServers;
import idle.shared.tls.TlsContexts;
import idle.shared.tls.TlsFailure;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one long-lived connection of a client to its server: version hello, the login handshake,
 * request-id multiplexing, heartbeats, and reconnecting with backoff after a network drop.
 *
 * <h2>Exchanges</h2>
 * Every request this client opens gets the next positive id ({@link #open}, {@link #request},
 * {@link #call}); every frame the server sends with that id goes to the exchange's
 * {@link ExchangeHandler}. Frames with a negative id belong to exchanges the server opened; their
 * first frame goes to the {@link ServerRequestHandler} (the lender agent), which may
 * {@link #adopt} the id to receive the rest.
 *
 * <h2>Threads</h2>
 * Nothing here blocks the caller except {@link #connect} (use {@link #connectAsync} from a UI) and
 * {@link #close} (bounded by a short logout wait). A reader thread per physical connection decodes
 * frames and calls exchange handlers in arrival order; {@link ConnectionListener}s are called one
 * at a time on an event thread; the futures of {@link #request} and {@link #call} complete on the
 * reader thread, so chain only quick work on them (or use the {@code *Async} variants).
 *
 * <h2>Drops</h2>
 * When the connection drops (I/O error, end of stream, 15 s of silence) every open exchange hears
 * {@link ExchangeHandler#onConnectionLost} and pending requests fail with
 * {@link ConnectionLostException}; the connection then tries again with exponential backoff,
 * first resuming the session with its token, else logging in again. Listeners hear
 * {@link ConnectionListener#reconnected}; owners of long exchanges (the runner following a job,
 * the lender) re-establish them then.
 */
public final class ServerConnection implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServerConnection.class.getName());

    private final ServerAddress address;
    private final Credentials credentials;
    private final ConnectionOptions options;
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService events;
    private final Object stateLock = new Object();
    private final AtomicLong heartbeatToken = new AtomicLong();
    private volatile ServerRequestHandler serverRequestHandler;
    private volatile Link link;
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Result.Session session;
    private volatile boolean closing;
    private volatile Thread reconnector;
    private ScheduledFuture<?> heartbeatTask;

    private ServerConnection(ServerAddress address, Credentials credentials,
            ConnectionOptions options) {
        this.address = Objects.requireNonNull(address, "address");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.options = Objects.requireNonNull(options, "options");
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("idle-conn-timer"));
        this.events = Executors.newSingleThreadExecutor(daemon("idle-conn-events"));
    }

    /**
     * Connects and logs in, blocking until logged in or refused.
     *
     * @param listener may be null; added before the first state change
     * @throws ConnectException with {@link ConnectException.Reason#UNREACHABLE} when no IDLE server
     *     answers, {@code BAD_CREDENTIALS}/{@code ACCOUNT_DISABLED}/{@code THROTTLED} when the
     *     login is refused, {@code PROTOCOL} when the peer breaks the protocol
     */
    public static ServerConnection connect(ServerAddress address, Credentials credentials,
            ConnectionOptions options, ConnectionListener listener) throws ConnectException {
        ServerConnection c = new ServerConnection(address, credentials, options);
        if (listener != null) {
            c.listeners.add(listener);
        }
        c.fireState(ConnectionState.CONNECTING, "connecting to " + address);
        try {
            Link l = c.openLink(false);
            c.attach(l);
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
        listeners.add(Objects.requireNonNull(l));
    }

    public void removeListener(ConnectionListener l) {
        listeners.remove(l);
    }

    /** Sets who hears exchanges the server opens (EXF, CAN). Null: they are refused with ILR. */
    public void setServerRequestHandler(ServerRequestHandler handler) {
        this.serverRequestHandler = handler;
    }

    /**
     * Opens an exchange: takes the next id, registers {@code handler} and sends {@code first}.
     *
     * @throws ConnectionLostException when not connected right now
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
     * frames under the id are ignored. Fails with {@link ConnectionLostException} on a drop.
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
     * {@link RequestException} (FLD, NLA, ILR) or a {@link ConnectionLostException}.
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
        Thread r = reconnector;
        if (r != null) {
            r.interrupt();
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

    /** One physical connection: socket, frame channel, reader thread and open exchanges. */
    final class Link {
        final Socket socket;
        final FrameChannel channel;
        final AtomicInteger ids = new AtomicInteger();
        final Map<Integer, Exchange> exchanges = new ConcurrentHashMap<>();
        volatile long lastHeard = System.nanoTime();
        private volatile boolean down;
        private volatile IOException cause;

        Link(Socket socket, FrameChannel channel) {
            this.socket = socket;
            this.channel = channel;
        }

        int nextId() {
            int id = ids.incrementAndGet();
            if (id <= 0) {
                ids.set(1);
                id = ids.incrementAndGet();
            }
            return id;
        }

        Exchange register(int id, ExchangeHandler handler) throws ConnectionLostException {
            Exchange ex = new Exchange(ServerConnection.this, this, id, handler);
            exchanges.put(id, ex);
            if (down) {
                exchanges.remove(id);
                throw new ConnectionLostException("not connected", cause);
            }
            return ex;
        }

        void forget(int id, Exchange ex) {
            exchanges.remove(id, ex);
        }

        /**
         * @throws RequestTooLargeException when {@code m} does not fit the wire format; the link
         *     stays up
         * @throws ConnectionLostException when the link is down, or goes down writing
         */
        void send(int id, Message m) throws IOException {
            if (down) {
                throw new ConnectionLostException("not connected", cause);
            }
            Frame frame = MessageEncoder.encode(id, m);
            try {
                channel.writeAndFlush(frame);
            } catch (IOException e) {
                fail(e);
                throw new ConnectionLostException("connection lost: " + e.getMessage(), e);
            }
        }

        boolean isDown() {
            return down;
        }

        /** Marks the link down once, closes its socket and hands the drop to the connection. */
        void fail(IOException why) {
            synchronized (this) {
                if (down) {
                    return;
                }
                down = true;
                cause = why;
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            List<Exchange> open = new ArrayList<>(exchanges.values());
            exchanges.clear();
            for (Exchange ex : open) {
                try {
                    ex.lost(why instanceof ConnectionLostException c ? c
                            : new ConnectionLostException("connection lost: " + why.getMessage(), why));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "exchange handler failed", e);
                }
            }
            linkDown(this, why);
        }

        void readLoop() {
            try {
                while (!down) {
                    Frame f = channel.read();
                    lastHeard = System.nanoTime();
                    Message m;
                    try {
                        m = Codec.decode(f);
                    } catch (ProtocolException e) {
                        try {
                            send(0, new Message.Illegal(e.getMessage()));
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                        throw e;
                    }
                    dispatch(f.requestId(), m);
                }
            } catch (ProtocolException e) {
                fail(new IOException("the server broke the protocol: " + e.getMessage()));
            } catch (EOFException e) {
                fail(new IOException("the server closed the connection"));
            } catch (IOException e) {
                fail(e);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "reader failed", e);
                fail(new IOException("internal error: " + e, e));
            }
        }

        private void dispatch(int id, Message m) {
            Exchange ex = exchanges.get(id);
            if (ex != null) {
                try {
                    ex.handler().onMessage(ex, m);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "handler of exchange #" + id + " failed on " + m.code(), e);
                }
                return;
            }
            if (id == 0) {
                LOG.warning("server reports a connection error: "
                        + (m instanceof Message.Illegal i ? UntrustedText.clean(i.reason())
                                : m.code().toString()));
                return;
            }
            switch (m) {
                case Message.Shutdown s -> {
                    trySend(id, new Message.ShutdownAck());
                    String why = UntrustedText.clean(s.reason());
                    fireEvent(l -> l.serverShuttingDown(why));
                }
                case Message.Heartbeat h -> trySend(id, new Message.Ack(h.token()));
                // Late pushes of an exchange we closed: acknowledge so the sender's window moves.
                case Message.Output o -> trySend(id, new Message.Ack(o.seq()));
                case Message.FileData d -> trySend(id, new Message.Ack(d.seq()));
                case Message.JobEvent j -> trySend(id, new Message.Ack(0));
                case Message.TakeOutputFile t when id > 0 -> trySend(id, new Message.Ack(0));
                default -> {
                    ServerRequestHandler h = serverRequestHandler;
                    if (id < 0 && h != null && isRequest(m)) {
                        try {
                            h.onServerRequest(ServerConnection.this, id, m);
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "server request handler failed on " + m.code(), e);
                        }
                    } else if (id < 0 && isRequest(m)) {
                        trySend(id, new Message.Illegal(m.code() + " is not for this client"));
                    } else {
                        LOG.fine(() -> "ignoring " + m.code() + " for closed exchange #" + id);
                    }
                }
            }
        }

        private void trySend(int id, Message m) {
            try {
                send(id, m);
            } catch (IOException e) {
                LOG.log(Level.FINE, "could not send " + m.code(), e);
            }
        }
    }

    private static boolean isRequest(Message m) {
        return m instanceof Message.Execute || m instanceof Message.Cancel
                || m instanceof Message.TakeOutputFile;
    }

    private Link currentLink() throws ConnectionLostException {
        Link l = link;
        if (l == null || l.isDown() || closing) {
            throw new ConnectionLostException(closing ? "the connection is closed"
                    : "not connected to " + address + " right now", null);
        }
        return l;
    }

    /** Opens a socket, exchanges hellos and logs in; returns a link whose reader is not started. */
    private Link openLink(boolean tryResume) throws ConnectException {
        Socket socket = new Socket();
        try {
            int timeout = (int) options.connectTimeout().toMillis();
            try {
                socket.connect(new InetSocketAddress(address.host(), address.port()), timeout);
            } catch (UnknownHostException e) {
                throw new ConnectException(ConnectException.Reason.UNREACHABLE,
                        "cannot reach the server at " + address + ": unknown host " + address.host(), e);
            } catch (SocketTimeoutException e) {
                throw new ConnectException(ConnectException.Reason.UNREACHABLE,
                        "cannot reach the server at " + address + ": no answer within "
                                + options.connectTimeout().toSeconds() + " s", e);
            } catch (IOException e) {
                throw new ConnectException(ConnectException.Reason.UNREACHABLE,
                        "cannot reach the server at " + address + ": " + describe(e), e);
            }
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.setSoTimeout(timeout);
            if (!options.insecurePlaintext()) {
                try {
                    socket = TlsContexts.connectPinned(socket, address.host(), address.port(),
                            new KnownServers(options.knownServers()), options.firstUse());
                } catch (TlsFailure e) {
                    throw new ConnectException(e.isTrustFailure()
                            ? ConnectException.Reason.UNTRUSTED
                            : ConnectException.Reason.UNREACHABLE, e.getMessage(), e);
                } catch (IOException e) {
                    throw new ConnectException(ConnectException.Reason.UNREACHABLE,
                            "cannot reach the server at " + address + ": TLS handshake: "
                                    + describe(e), e);
                }
            }
            var out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            var in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            int version;
            try {
                Handshake.writeHello(out);
                version = Handshake.readHello(in);
            } catch (ProtocolException e) {
                throw new ConnectException(ConnectException.Reason.UNREACHABLE,
                        "the service at " + address + " is not an IDLE server (" + e.getMessage() + ")", e);
            } catch (IOException e) {
                throw new ConnectException(ConnectException.Reason.UNREACHABLE,
                        "the service at " + address + " is not an IDLE server or closed the connection ("
                                + describe(e) + ")", e);
            }
            FrameChannel channel = new FrameChannel(in, out);
            if (version != Handshake.VERSION) {
                String why = "the server speaks protocol version " + version + ", this client "
                        + Handshake.VERSION;
                try {
                    Frame f = channel.read();
                    if (Codec.decode(f) instanceof Message.Illegal i) {
                        why = why + ": " + i.reason();
                    }
                } catch (IOException | ProtocolException ignored) {
                    // the reason is enough
                }
                throw new ConnectException(ConnectException.Reason.PROTOCOL, why);
            }
            Link l = new Link(socket, channel);
            login(l, tryResume);
            socket.setSoTimeout(0);
            return l;
        } catch (ConnectException e) {
            closeQuietly(socket);
            throw e;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new ConnectException(ConnectException.Reason.UNREACHABLE,
                    "lost the connection to " + address + " while logging in: " + describe(e), e);
        }
    }

    private void login(Link l, boolean tryResume) throws IOException {
        Result.Session previous = session;
        String token = tryResume && previous != null ? previous.resumeToken() : null;
        int id = l.nextId();
        l.channel.writeAndFlush(loginFrame(id, new Message.Login(options.clientName(), token)));
        while (true) {
            Message m;
            Frame f;
            try {
                f = l.channel.read();
                m = Codec.decode(f);
            } catch (ProtocolException e) {
                throw new ConnectException(ConnectException.Reason.PROTOCOL,
                        "the server broke the protocol during login: " + e.getMessage(), e);
            }
            if (f.requestId() != id) {
                if (m instanceof Message.Illegal i && i.reason().contains("requires TLS")) {
                    throw new ConnectException(ConnectException.Reason.PROTOCOL, "the IDLE server at "
                            + address + " requires TLS: connect without --insecure-plaintext ("
                            + i.reason() + ")");
                }
                if (m instanceof Message.Illegal i) {
                    throw new ConnectException(ConnectException.Reason.PROTOCOL,
                            "the server refused the login: " + i.reason());
                }
                continue; // nothing else is expected before login; ignore
            }
            switch (m) {
                case Message.UserId u -> l.channel.writeAndFlush(
                        loginFrame(id, new Message.UserId(credentials.user())));
                case Message.Password p -> {
                    char[] pw = credentials.password();
                    try {
                        l.channel.writeAndFlush(loginFrame(id, new Message.Password(new String(pw))));
                    } finally {
                        java.util.Arrays.fill(pw, '\0');
                    }
                }
                case Message.Success s when s.result() instanceof Result.Session ses -> {
                    session = ses;
                    return;
                }
                case Message.Failure fl -> {
                    if (token != null) {
                        // The session cannot be resumed; the caller logs in afresh.
                        throw new ConnectException(ConnectException.Reason.PROTOCOL,
                                "session not resumed: " + fl.reason());
                    }
                    throw loginRefused(fl.kind(), fl.reason());
                }
                case Message.Illegal i -> throw new ConnectException(ConnectException.Reason.PROTOCOL,
                        "the server refused the login: " + i.reason());
                default -> throw new ConnectException(ConnectException.Reason.PROTOCOL,
                        "unexpected " + m.code() + " during login");
            }
        }
    }

    /** A login frame; a user name or password too long for the protocol refuses the login. */
    private static Frame loginFrame(int id, Message m) throws ConnectException {
        try {
            return MessageEncoder.encode(id, m);
        } catch (RequestTooLargeException e) {
            throw new ConnectException(ConnectException.Reason.BAD_CREDENTIALS,
                    "the user name or password is longer than IDLE's protocol allows ("
                            + idle.shared.protocol.Limits.MAX_STRING + " bytes)", e);
        }
    }

    private ConnectException loginRefused(FailureKind kind, String reason) {
        String who = credentials.user();
        return switch (kind) {
            case ACCOUNT_DISABLED -> new ConnectException(ConnectException.Reason.ACCOUNT_DISABLED,
                    "the account '" + who + "' is disabled" + suffix(reason));
            case THROTTLED -> new ConnectException(ConnectException.Reason.THROTTLED,
                    "too many failed logins for '" + who + "'; try again later" + suffix(reason));
            case BAD_CREDENTIALS -> new ConnectException(ConnectException.Reason.BAD_CREDENTIALS,
                    "wrong user name or password for '" + who + "'");
            default -> new ConnectException(ConnectException.Reason.BAD_CREDENTIALS,
                    "login refused" + suffix(reason));
        };
    }

    private static String suffix(String reason) {
        return reason == null || reason.isBlank() ? "" : " (" + reason + ")";
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
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - l.lastHeard);
        if (silentMs > options.silenceTimeout().toMillis()) {
            l.fail(new IOException("the server was silent for " + silentMs / 1000 + " s"));
            return;
        }
        request(new Message.Heartbeat(heartbeatToken.incrementAndGet()));
    }

    private void linkDown(Link l, IOException why) {
        if (l != link) {
            return;
        }
        if (closing) {
            return;
        }
        if (!options.reconnect()) {
            fireState(ConnectionState.CLOSED, "connection lost: " + describe(why));
            closing = true;
            shutdownThreads();
            return;
        }
        fireState(ConnectionState.RECONNECTING, "connection lost (" + describe(why) + "); reconnecting");
        Thread t = new Thread(this::reconnectLoop, "idle-reconnect");
        t.setDaemon(true);
        reconnector = t;
        t.start();
    }

    private void reconnectLoop() {
        long start = System.nanoTime();
        long backoffMs = 250;
        int attempt = 0;
        while (!closing) {
            attempt++;
            try {
                Link l;
                boolean resumed = true;
                try {
                    l = openLink(true);
                } catch (ConnectException e) {
                    if (e.reason() != ConnectException.Reason.PROTOCOL || session == null) {
                        throw e;
                    }
                    resumed = false; // resume refused: log in afresh
                    l = openLink(false);
                }
                if (closing) {
                    closeQuietly(l.socket);
                    return;
                }
                attach(l);
                boolean r = resumed;
                fireEvent(x -> x.reconnected(r));
                return;
            } catch (ConnectException e) {
                if (e.isLoginRefused() || e.isUntrusted()) {
                    closing = true;
                    fireState(ConnectionState.CLOSED, e.getMessage());
                    shutdownThreads();
                    return;
                }
                long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                if (options.giveUpAfter() != null && elapsed >= options.giveUpAfter().toMillis()) {
                    closing = true;
                    fireState(ConnectionState.CLOSED, "gave up reconnecting after "
                            + elapsed / 1000 + " s: " + e.getMessage());
                    shutdownThreads();
                    return;
                }
                long wait = Math.min(backoffMs, options.maxBackoff().toMillis());
                wait += ThreadLocalRandom.current().nextLong(wait / 4 + 1);
                fireState(ConnectionState.RECONNECTING, "attempt " + attempt + " failed ("
                        + e.getMessage() + "); next in " + wait + " ms");
                backoffMs = Math.min(backoffMs * 2, options.maxBackoff().toMillis());
                try {
                    Thread.sleep(wait); // backoff between attempts, not synchronisation
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void fireState(ConnectionState s, String detail) {
        state = s;
        String printable = UntrustedText.clean(detail); // may quote an error the server caused
        fireEvent(l -> l.stateChanged(s, printable));
    }

    private void fireEvent(java.util.function.Consumer<ConnectionListener> call) {
        if (events.isShutdown()) {
            return;
        }
        try {
            events.execute(() -> {
                for (ConnectionListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "connection listener failed", e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // shutting down
        }
    }

    private void shutdownThreads() {
        timer.shutdownNow();
        events.shutdown(); // deliver what is queued (the CLOSED state), then stop
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused (is the server running?)";
        }
        if (e instanceof SocketException && e.getMessage() != null) {
            return e.getMessage();
        }
        if (e instanceof InterruptedIOException) {
            return "timed out";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
