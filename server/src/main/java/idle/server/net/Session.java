package idle.server.net;

import idle.server.audit.AuditAction;
import idle.server.auth.SessionTokens;
import idle.server.auth.UserNames;
import idle.server.peer.Peer;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection's protocol state machine, run on its own virtual thread.
 *
 * <pre>
 *   HELLO --8-byte hello, version 2--> LOGIN --LCS#n--> NAME --GID#n--> PASSWORD --GPW#n-->
 *         (SCF#n) READY   or   (FLD#n) LOGIN again
 *   LOGIN --LCS#n{valid resume token}--> READY
 *   READY --DCN#n--> BYE#n, closed
 * </pre>
 *
 * A malformed frame gets {@code ILR#0} and the connection is closed; a well-formed frame that is
 * not allowed now (before login, beyond the user's role, out of order) gets {@code ILR#id} and
 * the connection goes on. Frames that belong to an open exchange (acks, a lender's output, a
 * file transfer) go to that exchange. Every request is audited with its outcome.
 *
 * <p>A client may have at most {@link #openRequestCap} requests open at once: follows (RCS,
 * ATT), file transfers (GOF) and submissions still waiting for their commit. Beyond that a new
 * one gets {@code FLD{LIMIT}} at once, so a client cannot make the server hold unbounded state
 * for it; one that ends frees its place ({@link ExchangeTable}). The cap is the account's queue
 * limit plus {@link #OPEN_REQUESTS_BEYOND_QUEUE}: a runner that submitted as many jobs as it may
 * follows every one of them on one connection (and re-attaches to all after a reconnect), with
 * room left for file transfers.
 *
 * <p>The session owns the phase, the open exchanges and the reader loop; the password check is
 * {@link PasswordLogin}'s, the requests after login go to {@link ReadyRequests} (admin commands
 * to {@link AdminRequests}), which reach the session through a {@link SessionLink}.
 */
public final class Session implements Peer, Runnable {
    private static final Logger LOG = Logger.getLogger(Session.class.getName());

    private enum Phase { HELLO, LOGIN, NAME, PASSWORD, READY, CLOSED }

    private final Connection conn;
    private final ServerContext ctx;
    private final Runnable onEnd;
    private final AtomicInteger serverIds = new AtomicInteger();
    /** Requests a client may have open beyond the follows of its own jobs (transfers, attaches). */
    public static final int OPEN_REQUESTS_BEYOND_QUEUE = 256;
    private final ExchangeTable exchanges;
    private volatile Phase phase = Phase.HELLO;
    private int loginId;
    private String pendingName;
    private volatile String user;
    private boolean admin;
    private volatile String token;
    private volatile ShutdownAck shutdownAck;
    private final LoginDeadline deadline;
    /** Set once the server decided to end this logged-in session (see {@link Link#endNow}). */
    private final AtomicBoolean ending = new AtomicBoolean();
    private final PasswordLogin passwords;
    private final AdminRequests adminRequests;
    private final ReadyRequests requests;
    private final Link link = new Link();

    public Session(Connection conn, ServerContext ctx, Runnable onEnd) {
        this(conn, ctx, onEnd, System.nanoTime());
    }

    /** @param acceptedNanos {@link System#nanoTime} when the connection was accepted */
    public Session(Connection conn, ServerContext ctx, Runnable onEnd, long acceptedNanos) {
        this.conn = conn;
        this.ctx = ctx;
        this.onEnd = onEnd;
        this.exchanges = new ExchangeTable(openRequestCap(ctx.config()));
        this.deadline = new LoginDeadline(acceptedNanos, ctx.config().loginDeadline(),
                ctx.config().heartbeatTimeout().toMillis());
        this.passwords = new PasswordLogin(ctx.throttle(), ctx.accounts(), ctx.tokens());
        this.adminRequests = new AdminRequests(ctx.admin(), link);
        this.requests = new ReadyRequests(ctx.coordinator(), link, exchanges, adminRequests,
                ctx.credits());
    }

    /** Most requests a client may have open at once on one connection (see the class comment). */
    public static int openRequestCap(idle.server.ServerConfig config) {
        return config.dispatch().maxQueuedPerUser() + OPEN_REQUESTS_BEYOND_QUEUE;
    }

    // ---- Peer -------------------------------------------------------------------------------

    @Override
    public boolean send(int requestId, Message m) {
        exchanges.sent(requestId, m instanceof Message.Failure || m instanceof Message.Illegal
                || m instanceof Message.NoLenders);
        return conn.send(requestId, m);
    }

    @Override
    public boolean send(Frame f) {
        exchanges.sent(f.requestId(), f.code() == Code.FLD || f.code() == Code.ILR
                || f.code() == Code.NLA);
        return conn.send(f);
    }

    @Override
    public void awaitRoom() throws InterruptedException {
        conn.awaitRoom();
    }

    @Override
    public int nextServerId() {
        return serverIds.decrementAndGet();
    }

    @Override
    public void open(int requestId, Exchange exchange) {
        exchanges.open(requestId, exchange);
        if (conn.isClosed()) {
            close(requestId);
            exchange.onClose();
        }
    }

    @Override
    public void close(int requestId) {
        exchanges.close(requestId);
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String remoteAddress() {
        return conn.remoteAddress();
    }

    @Override
    public boolean isConnected() {
        return !conn.isClosed();
    }

    // ---- the reader loop --------------------------------------------------------------------

    @Override
    public void run() {
        try {
            int version = conn.hello();
            if (version != Handshake.VERSION) {
                farewell(AuditAction.HELLO, 0, "protocol version " + version, "this server "
                        + "speaks protocol version " + Handshake.VERSION + " only, not " + version);
                return;
            }
            phase = Phase.LOGIN;
            boolean ready = false;
            while (!conn.isClosed()) {
                if (!ready) {
                    if (phase == Phase.READY) {
                        ready = true;
                        conn.readTimeout(ctx.config().heartbeatTimeout().toMillis());
                    } else {
                        long left = deadline.readTimeoutMillis();
                        if (left <= 0) {
                            loginTimeout();
                            return;
                        }
                        conn.readTimeout(left);
                    }
                }
                Frame f;
                try {
                    f = conn.read();
                } catch (SocketTimeoutException e) {
                    if (!ready) {
                        loginTimeout(); // the deadline (or the silence limit) passed
                        return;
                    }
                    throw e;
                }
                Message m;
                try {
                    m = Codec.decode(f);
                } catch (ProtocolException e) {
                    fatal(f.code() + " frame: " + e.getMessage());
                    return;
                }
                handle(f, m);
            }
        } catch (ProtocolException e) {
            if (phase == Phase.HELLO) {
                link.audit(AuditAction.HELLO, 0, null, Code.ILR, e.getMessage());
                conn.refuseHello(e.getMessage());
            } else {
                fatal(e.getMessage());
            }
        } catch (SocketTimeoutException e) {
            LOG.info(() -> who() + ": silent for " + ctx.config().heartbeatTimeout().toSeconds()
                    + " s; dropping the connection");
            link.audit(AuditAction.TIMEOUT, 0, null, Code.BYE, "no heartbeat");
        } catch (EOFException | SocketException e) {
            LOG.fine(() -> who() + ": " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, who() + ": connection failed", e);
        } finally {
            end();
        }
    }

    /**
     * The login deadline passed (called by the acceptor's watchdog, on its thread): a session
     * still in the hello is closed at once (no frame may go before our hello); one in the login
     * is told {@code ILR#0{"no login within ..."}} and closed after it. Nothing happens to a
     * logged-in session, nor while its password is being checked (the reader enforces the
     * deadline again right after the check).
     *
     * @return true when the session was told to end (the caller closes it hard after a grace)
     */
    public boolean loginDeadline() {
        Phase p = phase;
        if (p == Phase.READY || p == Phase.CLOSED || deadline.isChecking()) {
            return false;
        }
        if (p == Phase.HELLO) {
            LOG.info(() -> who() + ": no hello within " + ctx.config().loginDeadline().toMillis()
                    + " ms; closed");
            conn.closeNow();
            return true;
        }
        loginTimeout();
        return true;
    }

    private void loginTimeout() {
        // Once only; neither the reader nor the watchdog returns (the reader then closes)
        // before the ILR is queued.
        deadline.passed(() -> {
            String why = "no login within " + ctx.config().loginDeadline().toSeconds() + " s";
            LOG.info(() -> who() + ": " + why + "; closing");
            farewell(AuditAction.LCS, loginId, why, why);
        });
    }

    private void fatal(String reason) {
        LOG.info(() -> who() + ": malformed frame (" + reason + "); closing");
        farewell(AuditAction.MALFORMED, 0, "malformed: " + reason, reason);
    }

    /** Audits the end ({@code ILR}), tells the client {@code ILR#0{toClient}}, closes after it. */
    private void farewell(AuditAction action, long auditId, String auditDetail, String toClient) {
        link.audit(action, auditId, null, Code.ILR, auditDetail);
        conn.send(0, new Message.Illegal(toClient));
        conn.closeAfterDrain();
    }

    private void end() {
        phase = Phase.CLOSED;
        conn.finish(2000); // a pending ILR or BYE still goes out
        exchanges.closeAll();
        if (user != null) {
            ctx.coordinator().peerGone(this);
            ctx.credits().gone(this);
            if (token != null) {
                ctx.tokens().detach(token);
            }
        }
        ShutdownAck ack = shutdownAck;
        if (ack != null) {
            ack.done();
        }
        onEnd.run();
    }

    private String who() {
        return (user == null ? "" : user + "@") + conn.remoteAddress();
    }

    // ---- dispatch of one frame --------------------------------------------------------------

    private void handle(Frame f, Message m) {
        int id = f.requestId();
        switch (f.code()) {
            case OK, SCF, FLD, SSD, OUT, TOF, DAT, EOF, FIN -> {
                toExchange(f, m);
                return;
            }
            case HBT -> {
                conn.send(id, new Message.Ack(((Message.Heartbeat) m).token()));
                return;
            }
            default -> { }
        }
        switch (phase) {
            case LOGIN -> {
                if (m instanceof Message.Login l) {
                    login(id, l);
                } else if (m instanceof Message.Logout) {
                    link.logout(id);
                } else {
                    link.illegal(id, f.code(), "log in first (LCS)");
                }
            }
            case NAME -> {
                if (m instanceof Message.UserId u && id == loginId) {
                    pendingName = u.name();
                    phase = Phase.PASSWORD;
                    conn.send(id, new Message.Password(""));
                } else {
                    link.illegal(id, f.code(), "expected GID#" + loginId + " with the user name");
                }
            }
            case PASSWORD -> {
                if (m instanceof Message.Password p && id == loginId) {
                    password(id, p);
                } else {
                    link.illegal(id, f.code(), "expected GPW#" + loginId + " with the password");
                }
            }
            case READY -> requests.handle(f, m);
            default -> { }
        }
    }

    private void toExchange(Frame f, Message m) {
        Exchange ex = exchanges.get(f.requestId());
        if (ex != null) {
            ex.onFrame(f, m);
            return;
        }
        switch (m) {
            case Message.Ack a -> { } // a late ack of a finished exchange
            case Message.Success s -> { }
            case Message.Failure x -> { }
            case Message.ShutdownAck s -> { }
            case Message.Output o -> conn.send(f.requestId(), new Message.Ack(o.seq()));
            case Message.FileData d -> conn.send(f.requestId(), new Message.Ack(d.seq()));
            case Message.Finished fin -> conn.send(f.requestId(),
                    new Message.Success(new Result.Empty()));
            default -> link.illegal(f.requestId(), f.code(), "no open exchange #" + f.requestId());
        }
    }

    // ---- login ------------------------------------------------------------------------------

    private void login(int id, Message.Login l) {
        SessionTokens.Grant g = ctx.tokens().resume(l.resumeToken()); // null for no token
        if (g != null && ctx.accounts().isEnabled(g.user())) {
            loggedIn(id, new PasswordLogin.LoggedIn(g.user(), g.admin(), l.resumeToken()),
                    "resumed session; client " + l.client());
            return;
        }
        loginId = id;
        phase = Phase.NAME;
        conn.send(id, new Message.UserId(""));
    }

    /**
     * GPW: the password is checked ({@link PasswordLogin}) while the login deadline waits; the
     * outcome is answered and audited here. A refusal is audited under the typed name in its
     * {@link UserNames#display} form only.
     */
    private void password(int id, Message.Password p) {
        String name = pendingName;
        pendingName = null;
        deadline.checking(true); // until answered: the watchdog must not end the login now
        try {
            answer(id, name, passwords.check(name, p.password().toCharArray(),
                    conn.remoteHost()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deadline.checking(false);
        }
    }

    private void answer(int id, String name, PasswordLogin.Outcome outcome) {
        switch (outcome) {
            case PasswordLogin.LoggedIn in -> loggedIn(id, in,
                    "logged in" + (in.admin() ? " (admin)" : ""));
            case PasswordLogin.Refused r -> {
                phase = Phase.LOGIN;
                conn.send(id, new Message.Failure(r.kind(), r.reason()));
                ctx.audit().record(UserNames.display(name), AuditAction.LCS, id, null, Code.FLD,
                        r.auditDetail(), conn.remoteAddress());
            }
        }
    }

    /** SCF#id{session}: the session is ready, after a password login or a resume. */
    private void loggedIn(int id, PasswordLogin.LoggedIn in, String auditDetail) {
        user = in.user();
        admin = in.admin();
        token = in.token();
        phase = Phase.READY;
        conn.loggedIn();
        conn.send(id, new Message.Success(new Result.Session(user, admin, token)));
        link.audit(AuditAction.LCS, id, null, Code.SCF, auditDetail);
        // Revoked while it became ready (after LiveSessions#endSessionsOf looked at it): end now.
        if (!ctx.tokens().isValid(token)) {
            endForAccount("the account changed during the login; log in again");
        }
    }

    /**
     * The account of this session was disabled or its password changed (its tokens are already
     * revoked): tell the client {@code ILR#0{reason}} and close. When this session's own admin
     * command caused it, that command's answer goes out first. Any thread; idempotent.
     */
    public void endForAccount(String reason) {
        adminRequests.endForAccount(reason);
    }

    // ---- shutdown ---------------------------------------------------------------------------

    /** Sends SDN; {@link #awaitShutdownAck} waits for the SSD (or the connection's end). */
    public void shutdown(String reason) {
        ShutdownAck ack = new ShutdownAck();
        shutdownAck = ack; // before the SDN: the connection's end may come first
        if (phase == Phase.CLOSED) {
            ack.done();
        } else {
            ack.start(this, reason);
        }
    }

    public boolean awaitShutdownAck(long millis) throws InterruptedException {
        ShutdownAck ack = shutdownAck;
        return ack == null || ack.await(millis);
    }

    public void closeNow() {
        conn.closeNow();
    }

    /**
     * Ends a logged-in session whose absolute lifetime is over (called by the acceptor's sweep):
     * the token is revoked, the client gets {@code ILR#0} saying so, and the connection closes.
     * The client may log in again with its password.
     */
    public void checkLifetime(long nowNanos) {
        String t = token;
        if (phase != Phase.READY || t == null || conn.isClosed() || !ctx.tokens().expired(t)) {
            return; // a revoked token is not "expired": endForAccount says why it ended
        }
        java.time.Duration life = ctx.config().trust().sessionLifetime();
        String why = "the session reached its lifetime of " + (life.toHours() >= 1
                && life.toMinutesPart() == 0 ? life.toHours() + " h" : life.toMinutes() >= 1
                ? life.toMinutes() + " min" : life.toSeconds() + " s") + "; log in again";
        LOG.info(() -> who() + ": " + why);
        ctx.tokens().revoke(t);
        farewell(AuditAction.EXPIRE, 0, "session lifetime over", why);
    }

    /** This session as its request handlers see it; see {@link SessionLink} for the threads. */
    private final class Link implements SessionLink {
        @Override
        public Peer peer() {
            return Session.this;
        }

        @Override
        public boolean isAdmin() {
            return admin;
        }

        @Override
        public boolean reply(int requestId, Message m) {
            return conn.send(requestId, m);
        }

        @Override
        public void audit(AuditAction action, long requestId, Long jobId, Code outcome,
                String detail) {
            ctx.audit().record(user, action, requestId, jobId, outcome, detail,
                    conn.remoteAddress());
        }

        @Override
        public void logout(int requestId) {
            audit(AuditAction.DCN, requestId, null, Code.BYE, "");
            if (token != null) {
                ctx.tokens().revoke(token);
                token = null;
            }
            conn.send(requestId, new Message.Bye());
            conn.closeAfterDrain();
        }

        @Override
        public void endNow(String reason) {
            if (phase != Phase.READY || !ending.compareAndSet(false, true)) {
                return;
            }
            token = null; // revoked already; nothing to detach
            LOG.info(() -> who() + ": " + reason + "; closing the session");
            farewell(AuditAction.EXPIRE, 0, reason, reason);
        }
    }
}
