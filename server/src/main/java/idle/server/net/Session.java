package idle.server.net;

import idle.server.admin.AdminRedaction;
import idle.server.audit.AuditAction;
import idle.server.auth.Accounts;
import idle.server.auth.LoginThrottle;
import idle.server.auth.SessionTokens;
import idle.server.auth.UserNames;
import idle.server.peer.Peer;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection's protocol state machine, run on its own virtual thread.
 *
 * <pre>
 *   HELLO --8-byte hello, version 1--> LOGIN --LCS#n--> NAME --GID#n--> PASSWORD --GPW#n-->
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
 * <p>A client may have at most {@link #MAX_OPEN_REQUESTS} requests open at once: follows (RCS,
 * ATT), file transfers (GOF) and submissions still waiting for their commit. Beyond that a new
 * one gets {@code FLD{LIMIT}} at once, so a client cannot make the server hold unbounded state
 * for it; one that ends frees its place ({@link OpenRequests}).
 *
 * <p>Over 500 lines because the whole per-connection state machine (hello, login, requests,
 * exchanges, the ways a session ends) is here; the login part is the next to move into a class
 * of its own, once the concurrent split of the dispatcher has landed.
 */
public final class Session implements Peer, Runnable {
    private static final Logger LOG = Logger.getLogger(Session.class.getName());

    private enum Phase { HELLO, LOGIN, NAME, PASSWORD, READY, CLOSED }

    private final Connection conn;
    private final ServerContext ctx;
    private final Runnable onEnd;
    private final AtomicInteger serverIds = new AtomicInteger();
    private final Map<Integer, Exchange> exchanges = new ConcurrentHashMap<>();
    /** Most requests a client may have open at once on one connection. */
    public static final int MAX_OPEN_REQUESTS = 256;
    private final OpenRequests openRequests = new OpenRequests(MAX_OPEN_REQUESTS);
    private volatile Phase phase = Phase.HELLO;
    private int loginId;
    private String pendingName;
    private volatile String user;
    private boolean admin;
    private volatile String token;
    private volatile CountDownLatch shutdownAck;
    /** When the connection was accepted: the login deadline counts from here. */
    private final long started;
    /** True while a password is being checked: the server's time, not the peer's. */
    private volatile boolean checking;
    private final AtomicBoolean deadlineHandled = new AtomicBoolean();
    /** Set once the server decided to end this logged-in session (see {@link #endNow}). */
    private final AtomicBoolean ending = new AtomicBoolean();
    /** True while this session runs an admin command: an end it causes waits for the reply. */
    private volatile boolean runningAdmin;
    private volatile String endAfterAdmin;

    public Session(Connection conn, ServerContext ctx, Runnable onEnd) {
        this(conn, ctx, onEnd, System.nanoTime());
    }

    /** @param acceptedNanos {@link System#nanoTime} when the connection was accepted */
    public Session(Connection conn, ServerContext ctx, Runnable onEnd, long acceptedNanos) {
        this.conn = conn;
        this.ctx = ctx;
        this.onEnd = onEnd;
        this.started = acceptedNanos;
    }

    // ---- Peer -------------------------------------------------------------------------------

    @Override
    public boolean send(int requestId, Message m) {
        if (requestId > 0 && (m instanceof Message.Failure || m instanceof Message.Illegal
                || m instanceof Message.NoLenders)) {
            openRequests.ended(requestId); // the request ended without an exchange
        }
        return conn.send(requestId, m);
    }

    @Override
    public boolean send(Frame f) {
        if (f.requestId() > 0 && (f.code() == Code.FLD || f.code() == Code.ILR
                || f.code() == Code.NLA)) {
            openRequests.ended(f.requestId());
        }
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
        openRequests.opened(requestId, exchanges.put(requestId, exchange) == null);
        if (conn.isClosed()) {
            close(requestId);
            exchange.onClose();
        }
    }

    @Override
    public void close(int requestId) {
        if (exchanges.remove(requestId) != null) {
            openRequests.closed(requestId);
        }
    }

    /**
     * Whether the client may open one more request; when not, it is answered
     * {@code FLD{LIMIT}} and audited. Called on the reader thread before a request that opens an
     * exchange.
     */
    private boolean roomForRequest(int id, Code code) {
        if (openRequests.hasRoom()) {
            return true;
        }
        conn.send(id, new Message.Failure(FailureKind.LIMIT, "too many open requests on this "
                + "connection (the limit is " + MAX_OPEN_REQUESTS + "); wait for some to end"));
        audit(AuditAction.of(code), id, null, Code.FLD, "open request limit");
        return false;
    }

    private boolean inUse(int id) {
        return exchanges.containsKey(id) || openRequests.isAwaiting(id);
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
            int version = Handshake.readHello(conn.rawIn());
            conn.rawOut().write(Handshake.hello(Handshake.VERSION));
            conn.rawOut().flush();
            conn.startWriter();
            if (version != Handshake.VERSION) {
                conn.send(0, new Message.Illegal("this server speaks protocol version "
                        + Handshake.VERSION + " only, not " + version));
                audit(AuditAction.HELLO, 0, null, Code.ILR, "protocol version " + version);
                conn.closeAfterDrain();
                return;
            }
            phase = Phase.LOGIN;
            long deadline = started + ctx.config().loginDeadline().toNanos();
            boolean ready = false;
            while (!conn.isClosed()) {
                if (!ready) {
                    if (phase == Phase.READY) {
                        ready = true;
                        conn.readTimeout(ctx.config().heartbeatTimeout().toMillis());
                    } else {
                        long left = (deadline - System.nanoTime()) / 1_000_000;
                        if (left <= 0) {
                            loginTimeout();
                            return;
                        }
                        conn.readTimeout(Math.min(left,
                                ctx.config().heartbeatTimeout().toMillis()));
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
                audit(AuditAction.HELLO, 0, null, Code.ILR, e.getMessage());
                try {
                    conn.rawOut().write(Handshake.hello(Handshake.VERSION));
                    conn.startWriter();
                    conn.send(0, new Message.Illegal(e.getMessage()));
                    conn.closeAfterDrain();
                } catch (IOException ignored) {
                    conn.closeNow();
                }
            } else {
                fatal(e.getMessage());
            }
        } catch (SocketTimeoutException e) {
            LOG.info(() -> who() + ": silent for " + ctx.config().heartbeatTimeout().toSeconds()
                    + " s; dropping the connection");
            audit(AuditAction.TIMEOUT, 0, null, Code.BYE, "no heartbeat", true);
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
        if (p == Phase.READY || p == Phase.CLOSED || checking) {
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
        // The reader and the watchdog may both get here: once only, and neither returns (the
        // reader then closes) before the ILR is queued.
        synchronized (deadlineHandled) {
            if (deadlineHandled.getAndSet(true)) {
                return;
            }
            String why = "no login within " + ctx.config().loginDeadline().toSeconds() + " s";
            LOG.info(() -> who() + ": " + why + "; closing");
            audit(AuditAction.LCS, loginId, null, Code.ILR, why);
            conn.send(0, new Message.Illegal(why));
            conn.closeAfterDrain();
        }
    }

    private void fatal(String reason) {
        LOG.info(() -> who() + ": malformed frame (" + reason + "); closing");
        audit(AuditAction.MALFORMED, 0, null, Code.ILR, "malformed: " + reason, true);
        conn.send(0, new Message.Illegal(reason));
        conn.closeAfterDrain();
    }

    private void end() {
        phase = Phase.CLOSED;
        conn.finish(2000); // a pending ILR or BYE still goes out
        for (Exchange e : exchanges.values()) {
            try {
                e.onClose();
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "closing an exchange", ex);
            }
        }
        exchanges.clear();
        if (user != null) {
            ctx.coordinator().peerGone(this);
            if (token != null) {
                ctx.tokens().detach(token);
            }
        }
        CountDownLatch l = shutdownAck;
        if (l != null) {
            l.countDown();
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
                    logout(id);
                } else {
                    illegal(id, f.code(), "log in first (LCS)");
                }
            }
            case NAME -> {
                if (m instanceof Message.UserId u && id == loginId) {
                    pendingName = u.name();
                    phase = Phase.PASSWORD;
                    conn.send(id, new Message.Password(""));
                } else {
                    illegal(id, f.code(), "expected GID#" + loginId + " with the user name");
                }
            }
            case PASSWORD -> {
                if (m instanceof Message.Password p && id == loginId) {
                    password(id, p);
                } else {
                    illegal(id, f.code(), "expected GPW#" + loginId + " with the password");
                }
            }
            case READY -> request(f, m);
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
            default -> illegal(f.requestId(), f.code(), "no open exchange #" + f.requestId());
        }
    }

    private void illegal(int id, Code code, String reason) {
        conn.send(id, new Message.Illegal(reason));
        audit(AuditAction.of(code), id, null, Code.ILR, reason);
    }

    // ---- login ------------------------------------------------------------------------------

    private void login(int id, Message.Login l) {
        if (l.resumeToken() != null) {
            SessionTokens.Grant g = ctx.tokens().resume(l.resumeToken());
            if (g != null && ctx.accounts().isEnabled(g.user())) {
                user = g.user();
                admin = g.admin();
                token = l.resumeToken();
                phase = Phase.READY;
                conn.loggedIn();
                conn.send(id, new Message.Success(new Result.Session(user, admin, token)));
                audit(AuditAction.LCS, id, null, Code.SCF, "resumed session; client " + l.client());
                revokedMeanwhile();
                return;
            }
        }
        loginId = id;
        phase = Phase.NAME;
        conn.send(id, new Message.UserId(""));
    }

    private void password(int id, Message.Password p) {
        checking = true;
        try {
            checkPassword(id, p);
        } finally {
            checking = false;
        }
    }

    /**
     * GPW: reserve an attempt with the throttle (under the name's canonical key, so aliases share
     * counts), wait or refuse, check through the accounts' login gate (refused as busy when full),
     * answer. Every refusal of a name or password has the same text. The typed name is audited
     * only in its {@link UserNames#display} form.
     */
    private void checkPassword(int id, Message.Password p) {
        String name = pendingName;
        pendingName = null;
        String shown = UserNames.display(name);
        LoginThrottle.Attempt attempt = ctx.throttle().begin(name, conn.remoteHost());
        try {
            java.time.Duration wait = attempt.waitBefore();
            if (ctx.throttle().tooLong(wait)) {
                phase = Phase.LOGIN;
                conn.send(id, new Message.Failure(FailureKind.THROTTLED, "too many failed "
                        + "logins; try again in " + Math.max(1, wait.toSeconds()) + " s"));
                auditAs(shown, AuditAction.LCS, id, null, Code.FLD, "throttled");
                return;
            }
            if (!wait.isZero()) {
                Thread.sleep(wait); // a virtual thread: cheap; only this connection waits
            }
            long checkStarted = System.nanoTime();
            Accounts.LoginResult r = ctx.accounts().check(name, p.password().toCharArray());
            String issued = r.check() == Accounts.Check.OK
                    ? ctx.tokens().issue(name, r.admin(), checkStarted) : null;
            if (r.check() == Accounts.Check.OK && issued == null) {
                // disabled or given a new password while this check ran: it does not count
                phase = Phase.LOGIN;
                conn.send(id, new Message.Failure(FailureKind.BAD_CREDENTIALS,
                        "wrong user name or password"));
                auditAs(shown, AuditAction.LCS, id, null, Code.FLD,
                        "the account changed during the login");
                return;
            }
            switch (r.check()) {
                case OK -> {
                    attempt.succeeded();
                    user = name;
                    admin = r.admin();
                    token = issued;
                    phase = Phase.READY;
                    conn.loggedIn();
                    conn.send(id, new Message.Success(new Result.Session(name, admin, token)));
                    audit(AuditAction.LCS, id, null, Code.SCF, "logged in"
                            + (admin ? " (admin)" : ""));
                    revokedMeanwhile();
                }
                case DISABLED -> {
                    phase = Phase.LOGIN;
                    conn.send(id, new Message.Failure(FailureKind.ACCOUNT_DISABLED, "the account "
                            + name + " is disabled"));
                    auditAs(shown, AuditAction.LCS, id, null, Code.FLD, "account disabled");
                }
                case BAD_CREDENTIALS -> {
                    attempt.failed();
                    phase = Phase.LOGIN;
                    conn.send(id, new Message.Failure(FailureKind.BAD_CREDENTIALS,
                            "wrong user name or password"));
                    auditAs(shown, AuditAction.LCS, id, null, Code.FLD, "bad credentials"
                            + (UserNames.isValid(name) ? "" : " (not a possible user name)"));
                }
                case BUSY -> {
                    phase = Phase.LOGIN;
                    conn.send(id, new Message.Failure(FailureKind.BUSY,
                            "server busy, try again"));
                    auditAs(shown, AuditAction.LCS, id, null, Code.FLD, "busy");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            attempt.abandoned(); // no-op when it was counted above
        }
    }

    /**
     * Right after a login or resume: when the account's tokens were revoked while this session
     * became ready (after {@link LiveSessions#endSessionsOf} looked at it), it ends now.
     */
    private void revokedMeanwhile() {
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
        endAfterAdmin = reason;
        if (!runningAdmin) {
            endNow(reason);
        }
    }

    private void endNow(String reason) {
        if (phase != Phase.READY || !ending.compareAndSet(false, true)) {
            return;
        }
        token = null; // revoked already; nothing to detach
        LOG.info(() -> who() + ": " + reason + "; closing the session");
        audit(AuditAction.EXPIRE, 0, null, Code.ILR, reason);
        conn.send(0, new Message.Illegal(reason));
        conn.closeAfterDrain();
    }

    private void logout(int id) {
        audit(AuditAction.DCN, id, null, Code.BYE, "");
        if (token != null) {
            ctx.tokens().revoke(token);
            token = null;
        }
        conn.send(id, new Message.Bye());
        conn.closeAfterDrain();
    }

    // ---- requests after login ---------------------------------------------------------------

    private void request(Frame f, Message m) {
        int id = f.requestId();
        var co = ctx.coordinator();
        switch (m) {
            case Message.Logout x -> logout(id);
            case Message.Login x -> illegal(id, f.code(), "already logged in as " + user);
            case Message.RunScript rs -> {
                if (id <= 0) {
                    illegal(id, f.code(), "client request ids must be positive");
                } else if (inUse(id)) {
                    illegal(id, f.code(), "request id " + id + " is still in use");
                } else if (roomForRequest(id, f.code())) {
                    openRequests.awaiting(id); // until its follow opens or it is refused
                    co.submit(this, id, rs);
                }
            }
            case Message.Attach a -> {
                if (id <= 0 || inUse(id)) {
                    illegal(id, f.code(), "request id " + id + " is not free");
                } else if (roomForRequest(id, f.code())) {
                    co.attach(this, id, a.jobId(), a.fromSeq(), a.follow());
                }
            }
            case Message.Cancel c -> co.cancel(this, id, c.jobId());
            case Message.History h -> {
                conn.send(id, new Message.Success(co.history(user, h.state(), h.nameContains(),
                        h.beforeJobId(), h.limit())));
                audit(AuditAction.HST, id, null, Code.SCF, "");
            }
            case Message.JobQuery q -> {
                var d = co.detail(user, false, q.jobId());
                if (d.isPresent()) {
                    conn.send(id, new Message.Success(new Result.Detail(d.get())));
                    audit(AuditAction.JOB, id, q.jobId(), Code.SCF, "");
                } else {
                    notFound(id, AuditAction.JOB, q.jobId());
                }
            }
            case Message.LenderOf q -> {
                Optional<String> p = co.lenderOf(user, q.jobId());
                if (p.isEmpty()) {
                    notFound(id, AuditAction.GIP, q.jobId());
                } else if (p.get().isEmpty()) {
                    conn.send(id, new Message.Failure(FailureKind.WRONG_STATE, "job " + q.jobId()
                            + " has not been given to a lender yet"));
                    audit(AuditAction.GIP, id, q.jobId(), Code.FLD, "no lender yet");
                } else {
                    conn.send(id, new Message.Success(new Result.Text(p.get())));
                    audit(AuditAction.GIP, id, q.jobId(), Code.SCF, "");
                }
            }
            case Message.PoolQuery q -> {
                conn.send(id, new Message.Success(new Result.Pool(co.pool())));
                audit(AuditAction.GPT, id, null, Code.SCF, "");
            }
            case Message.GetOutputFile g -> getFile(id, g);
            case Message.MakeLender ml -> co.makeLender(this, id, ml.capabilities());
            case Message.Withdraw w -> {
                if (co.isLender(this)) {
                    co.withdraw(this, id, w.returnJobs());
                } else {
                    illegal(id, f.code(), "only a lender can withdraw (send MML first)");
                }
            }
            case Message.Availability a -> {
                if (co.isLender(this)) {
                    co.availability(this, id, a.available(), a.reason());
                } else {
                    illegal(id, f.code(), "only a lender can report its availability");
                }
            }
            case Message.Admin a -> admin(id, a);
            default -> illegal(id, f.code(), f.code() + " is not a request a client may send");
        }
    }

    private void notFound(int id, AuditAction action, long jobId) {
        conn.send(id, new Message.Failure(FailureKind.NOT_FOUND, "you have no job " + jobId));
        audit(action, id, jobId, Code.FLD, "not found");
    }

    private void getFile(int id, Message.GetOutputFile g) {
        if (id <= 0) { // negative ids are the server's: one must not replace its exchange
            illegal(id, Code.GOF, "client request ids must be positive");
            return;
        }
        if (inUse(id)) {
            illegal(id, Code.GOF, "request id " + id + " is still in use");
            return;
        }
        if (!roomForRequest(id, Code.GOF)) {
            return;
        }
        ctx.coordinator().getFile(this, id, g);
    }

    private void admin(int id, Message.Admin a) {
        if (!admin) {
            illegal(id, Code.ADM, "admin commands need an admin account");
            return;
        }
        String words = AdminRedaction.words(a.argv());
        runningAdmin = true;
        try {
            String out = ctx.admin().run(a.argv(), user);
            conn.send(id, new Message.Success(new Result.Text(out)));
            audit(AuditAction.ADM, id, null, Code.SCF, words);
        } catch (ServerContext.AdminFailure e) {
            conn.send(id, new Message.Failure(e.kind(), e.getMessage()));
            audit(AuditAction.ADM, id, null, Code.FLD, AdminRedaction.failure(a.argv(),
                    e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "admin command failed", e);
            conn.send(id, new Message.Failure(FailureKind.INTERNAL, String.valueOf(e.getMessage())));
            audit(AuditAction.ADM, id, null, Code.FLD, AdminRedaction.failure(a.argv(),
                    e.toString()));
        } finally {
            runningAdmin = false;
            String end = endAfterAdmin; // e.g. the admin changed its own password
            if (end != null) {
                endNow(end);
            }
        }
    }

    /** The argv with secrets hidden ({@link AdminRedaction#argv}). */
    public static java.util.List<String> redact(java.util.List<String> argv) {
        return AdminRedaction.argv(argv);
    }

    // ---- shutdown ---------------------------------------------------------------------------

    /** Sends SDN; {@link #awaitShutdownAck} waits for the SSD (or the connection's end). */
    public void shutdown(String reason) {
        CountDownLatch l = new CountDownLatch(1);
        shutdownAck = l;
        if (phase == Phase.CLOSED || conn.isClosed()) {
            l.countDown();
            return;
        }
        int id = nextServerId();
        open(id, new Exchange() {
            @Override
            public void onFrame(Frame frame, Message message) {
                l.countDown();
            }

            @Override
            public void onClose() {
                l.countDown();
            }
        });
        if (!conn.send(id, new Message.Shutdown(reason))) {
            l.countDown();
        }
    }

    public boolean awaitShutdownAck(long millis) throws InterruptedException {
        CountDownLatch l = shutdownAck;
        return l == null || l.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
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
        audit(AuditAction.EXPIRE, 0, null, Code.ILR, "session lifetime over");
        ctx.tokens().revoke(t);
        conn.send(0, new Message.Illegal(why));
        conn.closeAfterDrain();
    }

    // ---- audit ------------------------------------------------------------------------------

    private void audit(AuditAction action, long id, Long jobId, Code outcome, String detail) {
        audit(action, id, jobId, outcome, detail, false);
    }

    private void audit(AuditAction action, long id, Long jobId, Code outcome, String detail,
            boolean quiet) {
        ctx.audit().record(user, action, id, jobId, outcome, detail, conn.remoteAddress());
    }

    private void auditAs(String name, AuditAction action, long id, Long jobId, Code outcome,
            String detail) {
        ctx.audit().record(name, action, id, jobId, outcome, detail, conn.remoteAddress());
    }
}
