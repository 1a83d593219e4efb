package idle.fuzz;

import idle.server.IdleServer;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.message.SampleMessages;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.FrameDecoder;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.ProtocolException;
import idle.shared.tls.TestTls;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Fuzzes a real server over real sockets: each session gets into one phase (no hello yet, before
 * login, in the middle of the login, logged in as a runner, logged in as a lender), then sends a
 * burst of random and mutated frames (seeded from {@link SampleMessages}) while a reader drains
 * whatever comes back. Then a probe: a heartbeat must be answered, or the server must have
 * closed the connection (it must, after a malformed frame), within a deadline; otherwise the
 * session hangs. Any exception the server logs as an unexpected failure is a crash, reported
 * with the session's bytes so it can become a regression test.
 */
final class ServerFuzzer {
    private static final byte[] HELLO = Handshake.hello(Handshake.VERSION);
    /** How long a session may take to answer the probe or close (the server's timeouts are 3 s). */
    static final long PROBE_MILLIS = 15_000;

    enum Phase { RAW, HELLO, LOGIN_NAME, RUNNER, LENDER }

    /** What one session sent, for the report. */
    record SessionRecord(long seed, Phase phase, byte[] sent) {
        String describe() {
            return "session seed " + seed + ", phase " + phase + ", " + sent.length
                    + " bytes after the setup:\n  " + HexFormat.of().formatHex(sent);
        }
    }

    private final IdleServer server;
    private final String user;
    private final String password;
    private final List<byte[]> seeds = new ArrayList<>();
    final AtomicLong frames = new AtomicLong();
    final AtomicLong sessions = new AtomicLong();
    final AtomicLong closedByServer = new AtomicLong();
    final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private final Map<Integer, SessionRecord> recent = Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, SessionRecord> e) {
                    return size() > 20_000;
                }
            });
    private final Handler watcher = new Handler() {
        @Override
        public void publish(LogRecord r) {
            Throwable t = r.getThrown();
            if (r.getLevel().intValue() >= Level.WARNING.intValue() && t != null
                    && (t instanceof RuntimeException || t instanceof Error)) {
                String thread = Thread.currentThread().getName();
                SessionRecord s = null;
                int colon = thread.lastIndexOf(':');
                if (colon > 0) {
                    try {
                        s = recent.get(Integer.parseInt(thread.substring(colon + 1)));
                    } catch (NumberFormatException ignored) {
                        // not a session thread
                    }
                }
                java.io.StringWriter sw = new java.io.StringWriter();
                t.printStackTrace(new java.io.PrintWriter(sw));
                problems.add("server failure in " + thread + ": " + r.getMessage() + "\n" + sw
                        + (s == null ? "" : s.describe()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    ServerFuzzer(IdleServer server, String user, String password) {
        this.server = server;
        this.user = user;
        this.password = password;
        for (Frame f : SampleMessages.frames()) {
            byte[] b = f.toBytes();
            if (b.length <= 16 * 1024) {
                seeds.add(b);
            }
        }
        Logger.getLogger("idle").addHandler(watcher);
    }

    void detach() {
        Logger.getLogger("idle").removeHandler(watcher);
    }

    /** Runs sessions until {@code maxFrames} frames were sent or the deadline passes. */
    void run(long baseSeed, int workers, long maxFrames, long deadlineNanos)
            throws InterruptedException {
        AtomicLong next = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            ts.add(Thread.ofVirtual().name("fuzz-" + w).start(() -> {
                while (frames.get() < maxFrames && System.nanoTime() < deadlineNanos
                        && problems.isEmpty()) {
                    long seed = baseSeed * 1_000_003L + next.getAndIncrement();
                    try {
                        session(seed);
                    } catch (IOException e) {
                        // setup failed (the server was busy, or closed during setup): go on
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    /** One session; deterministic bytes for a given seed (the server's answers may vary). */
    void session(long seed) throws IOException, InterruptedException {
        Random r = new Random(seed);
        Phase phase = Phase.values()[r.nextInt(Phase.values().length)];
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress(server.host(), server.port()), 30_000);
        raw.setSoTimeout((int) PROBE_MILLIS);
        try (Socket s = TestTls.wrap(raw, server.host(), server.port(),
                server.tlsFingerprint())) {
            s.setTcpNoDelay(true);
            recent.put(s.getLocalPort(), new SessionRecord(seed, phase, new byte[0]));
            var in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            OutputStream out = s.getOutputStream();
            FrameChannel ch = new FrameChannel(in, out);
            int nextId = setUp(phase, in, out, ch);
            if (nextId < 0) {
                return; // the setup did not get where it wanted (e.g. throttled): skip
            }
            sessions.incrementAndGet();
            // The burst: mutated frames, valid frames with random ids, hellos, junk.
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            int n = 1 + r.nextInt(r.nextInt(8) == 0 ? 400 : 40);
            for (int i = 0; i < n; i++) {
                byte[] base = seeds.get(r.nextInt(seeds.size()));
                // Mostly well-formed frames (they reach the request handling: wrong phase, wrong
                // role, unknown jobs, reused ids), and mutants that test the decoder's edges.
                byte[] b = switch (r.nextInt(10)) {
                    case 0, 1, 2, 3 -> withId(base, nextId++);
                    case 4 -> phase == Phase.RAW ? HELLO : withId(base, -(1 + r.nextInt(4)));
                    case 5 -> withId(base, r.nextInt(nextId + 1));
                    default -> Mutator.mutate(base, seeds, r);
                };
                sent.writeBytes(b);
            }
            byte[] all = sent.toByteArray();
            burst(seed, phase, all, r, s, out, ch);
        }
    }

    /**
     * Replays a recorded session (a crash report's phase and bytes) in one piece; returns false
     * when its setup failed.
     */
    boolean replay(Phase phase, byte[] all) throws IOException, InterruptedException {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress(server.host(), server.port()), 30_000);
        raw.setSoTimeout((int) PROBE_MILLIS);
        try (Socket s = TestTls.wrap(raw, server.host(), server.port(),
                server.tlsFingerprint())) {
            var in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            OutputStream out = s.getOutputStream();
            FrameChannel ch = new FrameChannel(in, out);
            if (setUp(phase, in, out, ch) < 0) {
                return false;
            }
            burst(0, phase, all, new Random(0), s, out, ch);
            return true;
        }
    }

    private void burst(long seed, Phase phase, byte[] all, Random r, Socket s, OutputStream out,
            FrameChannel ch) throws IOException, InterruptedException {
        {
            recent.put(s.getLocalPort(), new SessionRecord(seed, phase, all));
            Expect expect = phase == Phase.RAW ? Expect.CLOSE_OR_SILENCE : expectation(all);
            Drain drain = new Drain(ch, expect == Expect.ANSWER ? probeToken(seed) : 0);
            Thread reader = Thread.ofVirtual().start(drain);
            try {
                int at = 0;
                while (at < all.length) {
                    int k = Math.min(all.length - at, 1 + r.nextInt(4096));
                    out.write(all, at, k);
                    at += k;
                }
                if (expect == Expect.ANSWER) {
                    ch.writeAndFlush(Codec.encode(Integer.MAX_VALUE - 1,
                            new Message.Heartbeat(probeToken(seed))));
                }
                out.flush();
            } catch (IOException e) {
                // the server closed on us mid-burst: fine, it may (malformed frames)
            }
            frames.addAndGet(countFrames(all) + 1);
            if (expect == Expect.ANSWER || expect == Expect.CLOSE) {
                if (!drain.await(PROBE_MILLIS)) {
                    problems.add("hang: no answer to the probe and no close within "
                            + PROBE_MILLIS + " ms (" + expect + ")\n"
                            + new SessionRecord(seed, phase, all).describe());
                }
            }
            if (drain.closed) {
                closedByServer.incrementAndGet();
            }
            s.close();
            reader.join(PROBE_MILLIS);
        }
    }

    private static long probeToken(long seed) {
        return seed ^ 0x5EED_F00DL;
    }

    private enum Expect { ANSWER, CLOSE, CLOSE_OR_SILENCE }

    /**
     * What the server must do after these bytes: close (a malformed frame), answer the probe
     * (whole, well-formed frames; unless one of them legitimately ends the connection, which the
     * drain accepts too), or nothing certain (the bytes end inside a frame: it waits for more).
     */
    private static Expect expectation(byte[] all) {
        FrameDecoder d = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        try {
            d.feed(all, 0, all.length, out);
        } catch (ProtocolException e) {
            return Expect.CLOSE;
        }
        for (Frame f : out) {
            try {
                Codec.decode(f);
            } catch (ProtocolException e) {
                return Expect.CLOSE;
            }
        }
        return d.isIdle() ? Expect.ANSWER : Expect.CLOSE_OR_SILENCE;
    }

    private static long countFrames(byte[] all) {
        FrameDecoder d = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        try {
            d.feed(all, 0, all.length, out);
        } catch (ProtocolException e) {
            return out.size() + 1; // the malformed one counts too
        }
        return out.size() + (d.isIdle() ? 0 : 1);
    }

    private static byte[] withId(byte[] frame, int id) {
        byte[] b = frame.clone();
        Mutator.putInt(b, 4, id);
        return b;
    }

    /** Gets the session into {@code phase}; returns the next free request id, or -1. */
    private int setUp(Phase phase, BufferedInputStream in, OutputStream out, FrameChannel ch)
            throws IOException {
        if (phase == Phase.RAW) {
            return 1;
        }
        out.write(HELLO);
        out.flush();
        try {
            if (Handshake.readHello(in) != Handshake.VERSION) {
                return -1;
            }
            if (phase == Phase.HELLO) {
                return 1;
            }
            ch.writeAndFlush(Codec.encode(1, new Message.Login("idle-fuzz/1.0", null)));
            if (!(next(ch) instanceof Message.UserId)) {
                return -1;
            }
            if (phase == Phase.LOGIN_NAME) {
                return 2;
            }
            ch.writeAndFlush(Codec.encode(1, new Message.UserId(user)));
            if (!(next(ch) instanceof Message.Password)) {
                return -1;
            }
            ch.writeAndFlush(Codec.encode(1, new Message.Password(password)));
            if (!(next(ch) instanceof Message.Success ok && ok.result() instanceof Result.Session)) {
                return -1;
            }
            if (phase == Phase.RUNNER) {
                return 2;
            }
            ch.writeAndFlush(Codec.encode(2, new Message.MakeLender(
                    SampleMessages.capabilities())));
            return next(ch) instanceof Message.Success ? 3 : -1;
        } catch (ProtocolException e) {
            throw new IOException(e);
        }
    }

    private static Message next(FrameChannel ch) throws IOException, ProtocolException {
        while (true) {
            Message m = Codec.decode(ch.read());
            if (!(m instanceof Message.Heartbeat)) {
                return m;
            }
        }
    }

    /** Reads and drops every frame; notes the probe's answer and the server's close. */
    private static final class Drain implements Runnable {
        private final FrameChannel ch;
        private final long token;
        private final java.util.concurrent.CountDownLatch done =
                new java.util.concurrent.CountDownLatch(1);
        volatile boolean closed;

        Drain(FrameChannel ch, long token) {
            this.ch = ch;
            this.token = token;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Frame f = ch.read();
                    if (token != 0 && f.code() == idle.shared.protocol.Code.OK
                            && f.requestId() == Integer.MAX_VALUE - 1) {
                        try {
                            if (Codec.decode(f) instanceof Message.Ack a && a.seq() == token) {
                                done.countDown();
                            }
                        } catch (ProtocolException ignored) {
                            // not ours
                        }
                    }
                }
            } catch (IOException | ProtocolException e) {
                closed = true; // end of stream, reset, or our own close
                done.countDown();
            }
        }

        boolean await(long millis) throws InterruptedException {
            return done.await(millis, TimeUnit.MILLISECONDS);
        }
    }
}
