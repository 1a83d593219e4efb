package idle.server.net;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameDecoder;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.Limits;
import idle.shared.protocol.ProtocolException;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The byte side of one client connection: reads frames on the calling (virtual) thread and writes
 * them from an outbox drained by a virtual writer thread of its own, so senders (the dispatcher,
 * the commit thread, relays) never block on a slow peer and frames never interleave. The writer
 * runs only while there is something to send: a send to an idle connection starts one, and it
 * ends when the outbox is empty and flushed, so an idle lender holds no parked writer thread
 * (its stack was the largest part of what a lender cost the heap). At most one runs at a time.
 *
 * <p>The outbox holds at most {@code maxQueuedBytes} (by default {@link #MAX_QUEUED_BYTES}; see
 * {@code TrustConfig.maxQueuedBytes}): that is the cap on data in flight to one peer, sent or
 * queued and not yet taken by it. A peer that does not read and lets it overflow is disconnected
 * (chunked transfers are windowed, and file senders also wait in {@link #awaitRoom} while half
 * the cap is queued, so an honest peer never gets there).
 * Buffers start at 512 bytes per direction, so idle connections cost little (a coordinator
 * holds 100,000 lenders); a connection that fills its read buffer (a peer
 * streaming output) gets a 64 KiB one, and one that is sent a big frame (a file) a 256 KiB write
 * buffer, so chunks go out several per call.
 */
public final class Connection {
    private static final Logger LOG = Logger.getLogger(Connection.class.getName());
    /** Bytes a connection may have queued for sending before it is dropped, by default. */
    public static final long MAX_QUEUED_BYTES = 64L << 20;
    private static final int BIG_READ = 64 * 1024;
    private static final int SMALL_READ = 512;
    /** Write buffer of a connection that streams: a few chunk frames per system call. */
    private static final int BIG_WRITE = 256 * 1024;
    /** A payload this big makes the connection a streaming one ({@link #BIG_WRITE}). */
    private static final int SMALL_WRITE = 4 * 1024;
    /** Write buffer of a connection that only chats: heartbeat answers are 12-20 bytes. */
    private static final int SMALL_BUFFER = 512;
    private static final byte[][] WIRE = new byte[Code.values().length][];

    static {
        for (Code c : Code.values()) {
            WIRE[c.ordinal()] = c.wireBytes();
        }
    }

    private final Socket socket;
    private final Socket raw;
    private final InputStream in;
    /** Small while the peer only chats; {@link #BIG_WRITE} once we stream big frames to it. */
    private OutputStream out;
    private boolean bigOut;
    /** Largest payload before login: an LCS, GID or GPW needs at most about 128 KiB. */
    public static final int PRE_LOGIN_MAX_PAYLOAD = 256 * 1024;
    private final FrameDecoder decoder = new FrameDecoder(PRE_LOGIN_MAX_PAYLOAD);
    /**
     * Small while the peer only chats (an idle lender's heartbeat is a 20-byte frame; a
     * coordinator holds 100,000 of them); 64 KiB once a read fills it (a peer streaming).
     */
    private byte[] readBuf = new byte[SMALL_READ];
    private final ArrayDeque<Frame> readReady = new ArrayDeque<>();
    private final List<Frame> scratch = new ArrayList<>(4);

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the writer took frames out of the outbox (see {@link #awaitRoom}). */
    private final Condition drained = lock.newCondition();
    private final ArrayDeque<Frame> outbox = new ArrayDeque<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean closeAfterDrain;
    /** The writer running or last run (null before the first); see {@link #startWriterLocked}. */
    private volatile Thread writer;
    /** A writer is running: set and cleared under {@code lock}. */
    private boolean writing;
    /** Our hello went out (frames may follow): set under {@code lock}. */
    private boolean helloSent;
    private final String writerName;
    private final String remote;
    private final long maxQueuedBytes;

    public Connection(Socket socket) throws IOException {
        this(socket, MAX_QUEUED_BYTES);
    }

    /** A connection whose outbox may hold at most {@code maxQueuedBytes} (see the class comment). */
    public Connection(Socket socket, long maxQueuedBytes) throws IOException {
        this(socket, socket, maxQueuedBytes);
    }

    /**
     * A connection over {@code socket}, which may be a TLS socket layered over {@code raw}:
     * {@link #closeNow} closes {@code raw} first, so a writer blocked on a peer that does not
     * read is released at once (closing only the TLS socket would wait for that writer to send
     * its close_notify).
     */
    public Connection(Socket socket, Socket raw, long maxQueuedBytes) throws IOException {
        this.raw = raw;
        this.socket = socket;
        this.maxQueuedBytes = maxQueuedBytes;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        // small while the peer only chats, so an idle connection costs little
        this.out = new BufferedOutputStream(socket.getOutputStream(), SMALL_BUFFER);
        this.remote = String.valueOf(socket.getRemoteSocketAddress());
        this.writerName = "idle-write-" + remote;
    }

    /** The peer logged in: frames up to {@code Limits.MAX_PAYLOAD} are accepted from now on. */
    public void loggedIn() {
        decoder.maxPayload(Limits.MAX_PAYLOAD);
    }

    /**
     * The version exchange that opens the connection: reads the client's 8-byte hello, answers
     * ours and starts the writer. Frames may follow only when the version returned is ours.
     *
     * @throws ProtocolException for a malformed hello; nothing was sent (see {@link #refuseHello})
     */
    public int hello() throws IOException, ProtocolException {
        int version = Handshake.readHello(in);
        out.write(Handshake.hello(Handshake.VERSION));
        out.flush();
        helloWent();
        return version;
    }

    /**
     * After a malformed hello: ours still goes first (no frame may go before it), then
     * {@code ILR#0{reason}}, and the connection closes after it.
     */
    public void refuseHello(String reason) {
        try {
            out.write(Handshake.hello(Handshake.VERSION));
            helloWent();
            send(0, new Message.Illegal(reason));
            closeAfterDrain();
        } catch (IOException e) {
            closeNow();
        }
    }

    /** Frames may go out from now on: starts a writer for any queued already. */
    private void helloWent() {
        lock.lock();
        try {
            helloSent = true;
            if (!outbox.isEmpty() || closeAfterDrain) {
                startWriterLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** With {@code lock} held: a writer, unless one is running or our hello is not out yet. */
    private void startWriterLocked() {
        if (!writing && helloSent && !closed.get()) {
            writing = true;
            writer = Thread.ofVirtual().name(writerName).start(this::writeLoop);
        }
    }

    /** Whether a writer thread is running now (for tests: an idle connection holds none). */
    boolean writing() {
        lock.lock();
        try {
            return writing;
        } finally {
            lock.unlock();
        }
    }

    /** The peer's host address (no port), e.g. "127.0.0.1". */
    public String remoteHost() {
        return socket.getInetAddress() == null ? remote : socket.getInetAddress().getHostAddress();
    }

    /** Sets how long a read may wait; 0 = forever. */
    public void readTimeout(long millis) throws java.net.SocketException {
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, millis)));
    }

    public String remoteAddress() {
        return remote;
    }

    /**
     * The next frame; blocks. @throws EOFException at end of stream, ProtocolException for
     * malformed bytes, SocketTimeoutException when the peer was silent too long.
     */
    public Frame read() throws IOException, ProtocolException {
        while (readReady.isEmpty()) {
            int n = in.read(readBuf);
            if (n < 0) {
                throw new EOFException(decoder.isIdle() ? "connection closed"
                        : "connection closed in the middle of a frame");
            }
            scratch.clear();
            decoder.feed(readBuf, 0, n, scratch);
            readReady.addAll(scratch);
            if (n == readBuf.length && readBuf.length < BIG_READ) {
                readBuf = new byte[BIG_READ]; // a streaming peer: read in big gulps
            }
        }
        return readReady.poll();
    }

    /** Queues {@code m} under {@code requestId}; false when the connection is closed. */
    public boolean send(int requestId, Message m) {
        return send(Codec.encode(requestId, m));
    }

    /** Queues a frame; false when the connection is closed (the frame is dropped). */
    public boolean send(Frame f) {
        lock.lock();
        try {
            if (closed.get() || closeAfterDrain) {
                return false;
            }
            long q = queuedBytes.addAndGet(f.payload().length + Limits.HEADER_BYTES);
            if (q > maxQueuedBytes) {
                LOG.warning(() -> remote + ": outbox overflow (" + q + " bytes); dropping peer");
                closeNow();
                return false;
            }
            outbox.add(f);
            startWriterLocked();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits while more than half of {@code maxQueuedBytes} is queued for this peer; returns at
     * once when the connection is closed. Bulk senders call it before each chunk, so many
     * transfers to one peer slow down instead of overflowing the outbox.
     */
    public void awaitRoom() throws InterruptedException {
        long room = maxQueuedBytes / 2;
        if (queuedBytes.get() <= room) {
            return;
        }
        lock.lockInterruptibly();
        try {
            while (queuedBytes.get() > room && !closed.get()) {
                drained.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends what is queued, then closes (e.g. after BYE or a fatal ILR). */
    public void closeAfterDrain() {
        lock.lock();
        try {
            closeAfterDrain = true;
            startWriterLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends what is queued (waiting at most {@code millis} for the peer to take it), then closes.
     */
    public void finish(long millis) {
        closeAfterDrain();
        Thread w = writer; // after closeAfterDrain no other writer starts
        if (w != null && w.isAlive()) {
            try {
                w.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeNow();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the socket at once; queued frames are dropped. Idempotent. */
    public void closeNow() {
        if (closed.compareAndSet(false, true)) {
            if (raw != socket) {
                try {
                    raw.close();
                } catch (IOException e) {
                    // already gone
                }
            }
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
            lock.lock();
            try {
                outbox.clear();
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Drains the outbox and ends when it is empty and flushed (or after the close once drained,
     * or when the connection closed); a later send starts another.
     */
    private void writeLoop() {
        List<Frame> batch = new ArrayList<>(16);
        boolean failed = true;
        try {
            while (true) {
                boolean finish;
                lock.lock();
                try {
                    if (closed.get()) {
                        return;
                    }
                    if (outbox.isEmpty() && !closeAfterDrain) {
                        writing = false; // everything written was flushed: see below
                        writer = null; // a thread that ended keeps its last stack
                        failed = false;
                        return;
                    }
                    while (!outbox.isEmpty() && batch.size() < 64) {
                        batch.add(outbox.poll());
                    }
                    finish = closeAfterDrain && outbox.isEmpty();
                } finally {
                    lock.unlock();
                }
                long bytes = 0;
                for (Frame f : batch) {
                    writeFrame(f);
                    bytes += f.payload().length + Limits.HEADER_BYTES;
                }
                batch.clear();
                queuedBytes.addAndGet(-bytes);
                lock.lock();
                boolean more;
                try {
                    more = !outbox.isEmpty();
                    drained.signalAll();
                } finally {
                    lock.unlock();
                }
                if (!more) {
                    out.flush();
                }
                if (finish) {
                    out.flush();
                    socket.shutdownOutput();
                    closeNow();
                    return;
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, remote + ": write failed", e);
        } finally {
            if (failed) {
                closeNow();
            }
        }
    }

    private void writeFrame(Frame f) throws IOException {
        byte[] p = f.payload();
        if (p.length >= SMALL_WRITE && !bigOut) {
            // A big frame would bypass the small buffer: its header would go out alone, one more
            // system call and a 12-byte segment per chunk. A streaming peer gets a big buffer.
            out.flush();
            out = new BufferedOutputStream(socket.getOutputStream(), BIG_WRITE);
            bigOut = true;
        }
        byte[] h = new byte[Limits.HEADER_BYTES];
        System.arraycopy(WIRE[f.code().ordinal()], 0, h, 0, 3);
        int id = f.requestId();
        h[4] = (byte) (id >>> 24);
        h[5] = (byte) (id >>> 16);
        h[6] = (byte) (id >>> 8);
        h[7] = (byte) id;
        int n = p.length;
        h[8] = (byte) (n >>> 24);
        h[9] = (byte) (n >>> 16);
        h[10] = (byte) (n >>> 8);
        h[11] = (byte) n;
        if (!bigOut && Limits.HEADER_BYTES + n > SMALL_BUFFER) {
            // past the small buffer the payload would go out on its own, after its header in
            // a segment of its own: one write for both
            byte[] whole = java.util.Arrays.copyOf(h, Limits.HEADER_BYTES + n);
            System.arraycopy(p, 0, whole, Limits.HEADER_BYTES, n);
            out.write(whole);
            return;
        }
        out.write(h);
        out.write(p);
    }
}
