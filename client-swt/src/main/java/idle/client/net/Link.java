package idle.client.net;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One physical, logged-in connection and the exchanges open on it: the request-id multiplexer.
 * Frames with the id of an open {@link Exchange} go to its handler; the rest is answered here
 * (heartbeats, late pushes of closed exchanges, a shutdown notice) or handed to the {@link Owner}
 * (requests the server opens, with negative ids).
 *
 * <p>Lifecycle: built on a dialed, logged-in channel; {@link #readLoop} runs on one reader thread
 * until the link fails; {@link #fail} marks it down exactly once, closes the socket, tells every
 * open exchange ({@link ExchangeHandler#onConnectionLost}) and then the owner. A link is never
 * reused after that: the connection makes a new one. Threads: {@link #send} and
 * {@link #register} from any thread; handlers run on the reader thread, in arrival order.
 */
final class Link {
    private static final Logger LOG = Logger.getLogger(Link.class.getName());

    /** What a link needs from the connection that owns it. Called on the link's threads. */
    interface Owner {
        /** The link went down (once); {@code why} for a person. */
        void linkDown(Link link, IOException why);

        /** The server announced a shutdown ({@code SDN}, already acknowledged). */
        void serverShuttingDown(String reason);

        /**
         * A request the server opened ({@code EXE}, {@code CAN}, {@code TOF} with a negative id).
         * Returns false when nobody takes such requests: the link refuses it with {@code ILR}.
         */
        boolean serverRequest(int requestId, Message request);
    }

    private final Dialer.Dialed dialed;
    private final Owner owner;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, Exchange> exchanges = new ConcurrentHashMap<>();
    private volatile long lastHeard = System.nanoTime();
    private volatile boolean down;
    private volatile IOException cause;

    Link(Dialer.Dialed dialed, Owner owner) {
        this.dialed = dialed;
        this.owner = owner;
    }

    FrameChannel channel() {
        return dialed.channel();
    }

    /** Clears the read timeout the dialing and login used: silence is the heartbeat's concern. */
    void loggedIn() throws IOException {
        dialed.socket().setSoTimeout(0);
    }

    /** The next positive request id (wrapping around to 1). */
    int nextId() {
        int id = ids.incrementAndGet();
        if (id <= 0) {
            ids.set(1);
            id = ids.incrementAndGet();
        }
        return id;
    }

    /** When a frame last arrived, in {@link System#nanoTime()} units. */
    long lastHeard() {
        return lastHeard;
    }

    Exchange register(int id, ExchangeHandler handler) throws ConnectionLostException {
        Exchange ex = new Exchange(this, id, handler);
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
     * Sends one message and flushes.
     *
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
            dialed.channel().writeAndFlush(frame);
        } catch (IOException e) {
            fail(e);
            throw new ConnectionLostException("connection lost: " + e.getMessage(), e);
        }
    }

    boolean isDown() {
        return down;
    }

    /** Closes the socket of a link that never became current (the connection closed meanwhile). */
    void discard() {
        dialed.close();
    }

    /** Marks the link down once, closes its socket, tells its exchanges and then the owner. */
    void fail(IOException why) {
        synchronized (this) {
            if (down) {
                return;
            }
            down = true;
            cause = why;
        }
        dialed.close();
        List<Exchange> open = new ArrayList<>(exchanges.values());
        exchanges.clear();
        ConnectionLostException lost = why instanceof ConnectionLostException c ? c
                : new ConnectionLostException("connection lost: " + why.getMessage(), why);
        for (Exchange ex : open) {
            try {
                ex.lost(lost);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "exchange handler failed", e);
            }
        }
        owner.linkDown(this, why);
    }

    /** Reads and dispatches frames until the link fails. The body of the reader thread. */
    void readLoop() {
        try {
            while (!down) {
                Frame f = dialed.channel().read();
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
                owner.serverShuttingDown(UntrustedText.clean(s.reason()));
            }
            case Message.Heartbeat h -> trySend(id, new Message.Ack(h.token()));
            // Late pushes of an exchange we closed: acknowledge so the sender's window moves.
            case Message.Output o -> trySend(id, new Message.Ack(o.seq()));
            case Message.FileData d -> trySend(id, new Message.Ack(d.seq()));
            case Message.JobEvent j -> trySend(id, new Message.Ack(0));
            case Message.TakeOutputFile t when id > 0 -> trySend(id, new Message.Ack(0));
            // a notice to a lender (its account's record): handed on when someone lends here,
            // dropped otherwise; nothing answers it
            case Message.Credit c when id < 0 -> {
                try {
                    owner.serverRequest(id, c);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "server request handler failed on CRD", e);
                }
            }
            default -> {
                if (id < 0 && isServerRequest(m)) {
                    boolean taken;
                    try {
                        taken = owner.serverRequest(id, m);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "server request handler failed on " + m.code(), e);
                        return;
                    }
                    if (!taken) {
                        trySend(id, new Message.Illegal(m.code() + " is not for this client"));
                    }
                } else {
                    LOG.fine(() -> "ignoring " + m.code() + " for closed exchange #" + id);
                }
            }
        }
    }

    private static boolean isServerRequest(Message m) {
        return m instanceof Message.Execute || m instanceof Message.Cancel
                || m instanceof Message.TakeOutputFile;
    }

    private void trySend(int id, Message m) {
        try {
            send(id, m);
        } catch (IOException e) {
            LOG.log(Level.FINE, "could not send " + m.code(), e);
        }
    }
}
