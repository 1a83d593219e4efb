package idle.shared.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocking frame I/O over a stream pair, for one connection.
 *
 * <p>Threads: {@link #read} is called by one reader thread only; {@link #write} may be called from
 * any thread (writes are serialized so frames never interleave). Call {@link #flush} after a burst,
 * or use {@link #writeAndFlush}.
 */
public final class FrameChannel {
    private final InputStream in;
    private final OutputStream out;
    private final FrameDecoder decoder;
    private final byte[] buf;
    private final ArrayDeque<Frame> ready = new ArrayDeque<>();
    private final List<Frame> scratch = new ArrayList<>();
    private final Object writeLock = new Object();
    private ProtocolException failure;

    public FrameChannel(InputStream in, OutputStream out) {
        this(in, out, new FrameDecoder());
    }

    public FrameChannel(InputStream in, OutputStream out, FrameDecoder decoder) {
        this(in, out, decoder, 64 * 1024);
    }

    /**
     * As above, reading at most {@code readBufferBytes} per call (default 64 KiB): a process that
     * holds many quiet connections, such as the benchmark's 100,000 simulated lenders, gives
     * each a small one.
     */
    public FrameChannel(InputStream in, OutputStream out, FrameDecoder decoder,
            int readBufferBytes) {
        this.in = in;
        this.out = out;
        this.decoder = decoder;
        this.buf = new byte[readBufferBytes];
    }

    /**
     * The next frame, blocking until it is complete. Frames that were complete before malformed
     * bytes in the same read are returned first; the error comes after them, and again on every
     * later call.
     *
     * @throws EOFException when the stream ends (mid-frame or cleanly)
     * @throws ProtocolException when the bytes break the framing rules
     */
    public Frame read() throws IOException, ProtocolException {
        while (ready.isEmpty()) {
            if (failure != null) {
                throw failure;
            }
            int n = in.read(buf);
            if (n < 0) {
                throw new EOFException(decoder.isIdle() ? "connection closed"
                        : "connection closed in the middle of a frame");
            }
            scratch.clear();
            try {
                decoder.feed(buf, 0, n, scratch);
            } catch (ProtocolException e) {
                failure = e;
            }
            ready.addAll(scratch);
        }
        return ready.poll();
    }

    /** Writes one frame without flushing. */
    public void write(Frame frame) throws IOException {
        byte[] bytes = frame.toBytes();
        synchronized (writeLock) {
            out.write(bytes);
        }
    }

    public void flush() throws IOException {
        synchronized (writeLock) {
            out.flush();
        }
    }

    public void writeAndFlush(Frame frame) throws IOException {
        byte[] bytes = frame.toBytes();
        synchronized (writeLock) {
            out.write(bytes);
            out.flush();
        }
    }
}
