package idle.shared.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.SampleMessages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FrameChannelTest {

    /** An input stream that hands out at most {@code max} bytes per read, like a slow socket. */
    private static final class Trickle extends InputStream {
        private final ByteArrayInputStream in;
        private final int max;

        Trickle(byte[] b, int max) {
            this.in = new ByteArrayInputStream(b);
            this.max = max;
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, max));
        }
    }

    @Test
    void framesWrittenAreReadBackEvenInTinyReads() throws Exception {
        List<Frame> frames = SampleMessages.frames();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameChannel writer = new FrameChannel(InputStream.nullInputStream(), out);
        for (int i = 0; i < frames.size(); i++) {
            if (i % 2 == 0) {
                writer.write(frames.get(i));
            } else {
                writer.writeAndFlush(frames.get(i));
            }
        }
        writer.flush();
        for (int max : new int[] {1, 7, 100_000}) {
            FrameChannel reader = new FrameChannel(new Trickle(out.toByteArray(), max),
                    OutputStream.nullOutputStream());
            List<Frame> got = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                got.add(reader.read());
            }
            assertEquals(frames, got, "reads of at most " + max + " bytes");
            EOFException e = assertThrows(EOFException.class, reader::read);
            assertEquals("connection closed", e.getMessage());
        }
    }

    @Test
    void streamEndingMidFrameSaysSo() {
        byte[] b = SampleMessages.frames().get(0).toBytes();
        FrameChannel reader = new FrameChannel(new ByteArrayInputStream(b, 0, b.length - 1),
                OutputStream.nullOutputStream());
        EOFException e = assertThrows(EOFException.class, reader::read);
        assertEquals("connection closed in the middle of a frame", e.getMessage());
    }

    @Test
    void garbageIsAProtocolException() {
        FrameChannel reader = new FrameChannel(new ByteArrayInputStream(
                "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                OutputStream.nullOutputStream());
        ProtocolException e = assertThrows(ProtocolException.class, reader::read);
        assertTrue(e.getMessage().startsWith("unknown code"), e.getMessage());
    }

    @Test
    void framesBeforeGarbageInTheSameReadComeFirstThenTheError() throws Exception {
        List<Frame> frames = SampleMessages.frames().subList(0, 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(f.toBytes());
        }
        out.writeBytes("XYZ\0\0\0\0\1\0\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(frames.get(0).toBytes()); // never reached: nothing after garbage counts
        FrameChannel reader = new FrameChannel(new ByteArrayInputStream(out.toByteArray()),
                OutputStream.nullOutputStream());
        for (Frame f : frames) {
            assertEquals(f, reader.read());
        }
        ProtocolException e = assertThrows(ProtocolException.class, reader::read);
        assertEquals("unknown code 0x58595a", e.getMessage());
        ProtocolException again = assertThrows(ProtocolException.class, reader::read);
        assertEquals(e.getMessage(), again.getMessage());
    }

    @Test
    void aSmallerDecoderLimitApplies() {
        byte[] b = new Frame(Code.DAT, 1, new byte[100]).toBytes();
        FrameChannel reader = new FrameChannel(new ByteArrayInputStream(b),
                OutputStream.nullOutputStream(), new FrameDecoder(99));
        assertThrows(ProtocolException.class, reader::read);
    }

    @Test
    void concurrentWritersNeverInterleaveFrames() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameChannel ch = new FrameChannel(InputStream.nullInputStream(), out);
        int threads = 4;
        int each = 300;
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            int id = t + 1;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        byte[] p = new byte[1 + (i * 37) % 3000];
                        java.util.Arrays.fill(p, (byte) id);
                        ch.write(new Frame(Code.DAT, id, p));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            });
            th.setDaemon(true);
            th.start();
        }
        go.countDown();
        assertTrue(done.await(20, TimeUnit.SECONDS));
        assertEquals(List.of(), errors);
        byte[] all = out.toByteArray();
        List<Frame> frames = new FrameDecoder().feed(all, 0, all.length);
        assertEquals(threads * each, frames.size());
        Set<Integer> ids = new HashSet<>();
        for (Frame f : frames) {
            ids.add(f.requestId());
            for (byte x : f.payload()) {
                assertEquals(f.requestId(), x, "a frame's payload was mixed with another's");
            }
        }
        assertEquals(Set.of(1, 2, 3, 4), ids);
    }
}
