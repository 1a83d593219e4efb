package idle.shared.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameDecoder;
import idle.shared.protocol.Limits;
import idle.shared.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Feeds junk and mutated frames through {@link FrameDecoder} and {@link Codec#decode}. Every input
 * must end in whole frames that decode, a {@link ProtocolException}, or an incomplete frame the
 * decoder keeps waiting for; never another exception and never a hang. A payload that does decode
 * must re-encode to the very same bytes (the encoding is canonical).
 *
 * <p>Input {@code i} is generated from {@code new Random(seed * 1_000_003 + i)}, so one failing
 * input is reproducible alone: {@code -Didle.fuzz.seed=S -Didle.fuzz.first=I -Didle.fuzz.inputs=1}.
 */
class CodecFuzzTest {
    private static final long SEED = Long.getLong("idle.fuzz.seed", 0x1D1E_2019L);
    private static final int FIRST = Integer.getInteger("idle.fuzz.first", 0);
    private static final int INPUTS = Integer.getInteger("idle.fuzz.inputs", 120_000);
    /** One input may take this long (generous: GC pauses on 2 slow shared cores). */
    private static final long PER_INPUT_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long TOTAL_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final int[] INTERESTING = {0, 1, 2, 3, 7, 8, 12, 63, 64, 127, 128, 255, 256,
        0x7fff, 0x8000, 0xfffe, 0xffff, 0x10000, 10_000, 10_001, Limits.MAX_PAYLOAD,
        Limits.MAX_PAYLOAD + 1, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -2};

    private final List<byte[]> bases = new ArrayList<>();

    // Progress, read by the watchdog.
    private volatile int current = -1;
    private volatile long startedAt;
    private volatile byte[] currentInput;
    private volatile String failure;
    private int decoded;
    private int rejected;
    private int incomplete;
    private int frames;

    @Test
    void junkAndMutatedFramesEndOnlyInSuccessOrProtocolException() throws InterruptedException {
        for (Frame f : SampleMessages.frames()) {
            byte[] b = f.toBytes();
            if (b.length <= 8192) {
                bases.add(b);
            }
        }
        Thread worker = new Thread(this::run, "fuzz");
        worker.setDaemon(true);
        long t0 = System.nanoTime();
        worker.start();
        while (worker.isAlive()) {
            worker.join(200);
            long now = System.nanoTime();
            int at = current;
            if (worker.isAlive() && at >= 0 && now - startedAt > PER_INPUT_NANOS) {
                fail("input " + at + " (seed " + SEED + ") still running after "
                        + TimeUnit.NANOSECONDS.toMillis(now - startedAt) + " ms: "
                        + hex(currentInput));
            }
            if (now - t0 > TOTAL_NANOS) {
                fail("fuzzing (seed " + SEED + ") did not finish in time; at input " + at);
            }
        }
        if (failure != null) {
            fail(failure);
        }
        String stats = INPUTS + " inputs (seed " + SEED + "): " + decoded + " decoded, " + rejected
                + " rejected, " + incomplete + " incomplete, " + frames + " frames";
        System.out.println("CodecFuzzTest: " + stats + " in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        if (INPUTS >= 10_000) {
            // The generator must reach every outcome often, or the test proves little.
            assertTrue(decoded > INPUTS / 50, stats);
            assertTrue(rejected > INPUTS / 3, stats);
            assertTrue(incomplete > INPUTS / 100, stats);
            assertTrue(frames > INPUTS / 2, stats);
        }
    }

    @Test
    void everySingleBitFlipOfEverySamplePayloadIsValidOrAProtocolError() {
        int valid = 0;
        int flips = 0;
        for (Frame f : SampleMessages.frames()) {
            byte[] p = f.payload();
            if (p.length > 1024) {
                continue; // long free-form data (the 4 KiB DAT) only makes this slow
            }
            for (int bit = 0; bit < p.length * 8; bit++) {
                byte[] q = p.clone();
                q[bit >>> 3] ^= (byte) (1 << (bit & 7));
                Frame g = new Frame(f.code(), f.requestId(), q);
                flips++;
                try {
                    Message m = Codec.decode(g);
                    assertArrayEquals(q, Codec.payload(m), () -> "not canonical: " + m);
                    valid++;
                } catch (ProtocolException e) {
                    checkMessage(e);
                } catch (RuntimeException e) {
                    throw new AssertionError(f.code() + " payload with bit " + bit
                            + " flipped threw " + e + "\n" + hex(q), e);
                }
            }
        }
        // Flips inside free-form data (names, output bytes) stay valid; the rest must not.
        assertTrue(valid > 0 && valid < flips, valid + " of " + flips + " flips decoded");
    }

    private void run() {
        for (int i = FIRST; i < FIRST + INPUTS && failure == null; i++) {
            Random r = new Random(SEED * 1_000_003L + i);
            byte[] input = mutate(r);
            int limit = r.nextInt(8) == 0 ? r.nextInt(512) : Limits.MAX_PAYLOAD;
            currentInput = input;
            startedAt = System.nanoTime();
            current = i;
            try {
                feed(input, limit, r);
            } catch (Throwable t) {
                failure = "input " + i + " (seed " + SEED + ", decoder limit " + limit + ") threw "
                        + t + "\n" + hex(input) + "\n" + stackOf(t);
            }
        }
        current = -1;
    }

    private void feed(byte[] input, int limit, Random r) throws ProtocolException {
        FrameDecoder d = new FrameDecoder(limit);
        List<Frame> out = new ArrayList<>();
        try {
            int pos = 0;
            while (pos < input.length) {
                int n = r.nextInt(4) == 0 ? input.length - pos
                        : Math.min(input.length - pos, 1 + r.nextInt(16));
                d.feed(input, pos, n, out);
                pos += n;
            }
        } catch (ProtocolException e) {
            rejected++;
            checkMessage(e);
            decodeAll(out); // frames completed before the bad bytes are still whole
            return;
        }
        if (decodeAll(out)) {
            if (d.isIdle()) {
                decoded++;
            } else {
                incomplete++;
            }
        } else {
            rejected++;
        }
    }

    /** Decodes every frame; false when one was rejected. */
    private boolean decodeAll(List<Frame> out) {
        boolean all = true;
        for (Frame f : out) {
            frames++;
            try {
                Message m = Codec.decode(f);
                if (m.code() != f.code()) {
                    throw new AssertionError("decoded " + m.code() + " from a " + f.code());
                }
                assertArrayEquals(f.toBytes(), Codec.encode(f.requestId(), m).toBytes(),
                        () -> "not canonical: " + m);
            } catch (ProtocolException e) {
                checkMessage(e);
                all = false;
            }
        }
        return all;
    }

    private static void checkMessage(ProtocolException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("a ProtocolException without a message", e);
        }
    }

    // ---- the generator ----------------------------------------------------------------------

    private byte[] mutate(Random r) {
        byte[] base = bases.get(r.nextInt(bases.size())).clone();
        int payloadLen = base.length - Limits.HEADER_BYTES;
        switch (r.nextInt(11)) {
            case 0 -> { // pure junk
                byte[] b = new byte[r.nextInt(80)];
                r.nextBytes(b);
                return b;
            }
            case 1 -> { // a valid header of any code over a junk payload
                byte[] p = new byte[r.nextInt(r.nextBoolean() ? 8 : 200)];
                r.nextBytes(p);
                Code c = Code.values()[r.nextInt(Code.values().length)];
                return new Frame(c, r.nextInt(), p).toBytes();
            }
            case 2 -> { // bit flips anywhere
                int flips = 1 + r.nextInt(8);
                for (int k = 0; k < flips; k++) {
                    int i = r.nextInt(base.length);
                    base[i] ^= (byte) (1 << r.nextInt(8));
                }
                return base;
            }
            case 3 -> { // bit flips in the payload only: the header stays valid
                if (payloadLen == 0) {
                    return base;
                }
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int i = Limits.HEADER_BYTES + r.nextInt(payloadLen);
                    base[i] ^= (byte) (1 << r.nextInt(8));
                }
                return base;
            }
            case 4 -> { // truncated payload, frame length fixed up to match
                return withPayload(base, Arrays.copyOfRange(base, Limits.HEADER_BYTES,
                        Limits.HEADER_BYTES + (payloadLen == 0 ? 0 : r.nextInt(payloadLen))));
            }
            case 5 -> { // extra bytes after the payload, frame length fixed up
                byte[] extra = new byte[1 + r.nextInt(16)];
                r.nextBytes(extra);
                byte[] p = Arrays.copyOfRange(base, Limits.HEADER_BYTES, base.length + extra.length);
                System.arraycopy(extra, 0, p, payloadLen, extra.length);
                return withPayload(base, p);
            }
            case 6 -> { // an inner length or count spliced with an interesting value
                if (payloadLen < 4) {
                    return base;
                }
                int v = INTERESTING[r.nextInt(INTERESTING.length)];
                int at = Limits.HEADER_BYTES + r.nextInt(payloadLen - 3);
                if (r.nextBoolean()) {
                    base[at] = (byte) (v >>> 8);
                    base[at + 1] = (byte) v;
                } else {
                    putInt(base, at, v);
                }
                return base;
            }
            case 7 -> { // the frame's own length spliced
                int v = switch (r.nextInt(3)) {
                    case 0 -> payloadLen + r.nextInt(9) - 4;
                    case 1 -> INTERESTING[r.nextInt(INTERESTING.length)];
                    default -> r.nextInt(1 << 16);
                };
                putInt(base, 8, v);
                return base;
            }
            case 8 -> { // the start of one frame with the end of another
                byte[] other = bases.get(r.nextInt(bases.size()));
                int a = r.nextInt(base.length + 1);
                int b = r.nextInt(other.length + 1);
                byte[] out = Arrays.copyOf(base, a + other.length - b);
                System.arraycopy(other, b, out, a, other.length - b);
                return out;
            }
            case 9 -> { // a byte inserted or deleted inside the payload, length fixed up
                if (payloadLen == 0) {
                    return base;
                }
                byte[] p = Arrays.copyOfRange(base, Limits.HEADER_BYTES, base.length);
                int i = r.nextInt(payloadLen);
                byte[] q;
                if (r.nextBoolean()) {
                    q = new byte[payloadLen - 1];
                    System.arraycopy(p, 0, q, 0, i);
                    System.arraycopy(p, i + 1, q, i, payloadLen - i - 1);
                } else {
                    q = new byte[payloadLen + 1];
                    System.arraycopy(p, 0, q, 0, i);
                    q[i] = (byte) r.nextInt(256);
                    System.arraycopy(p, i, q, i + 1, payloadLen - i);
                }
                return withPayload(base, q);
            }
            default -> { // several frames in a row, the last one mutated
                byte[] next = mutateOnce(bases.get(r.nextInt(bases.size())).clone(), r);
                byte[] out = Arrays.copyOf(base, base.length + next.length);
                System.arraycopy(next, 0, out, base.length, next.length);
                return out;
            }
        }
    }

    private static byte[] mutateOnce(byte[] b, Random r) {
        if (r.nextInt(3) > 0) {
            int i = r.nextInt(b.length);
            b[i] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
    }

    private static byte[] withPayload(byte[] frame, byte[] payload) {
        byte[] out = Arrays.copyOf(frame, Limits.HEADER_BYTES + payload.length);
        System.arraycopy(payload, 0, out, Limits.HEADER_BYTES, payload.length);
        putInt(out, 8, payload.length);
        return out;
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static String hex(byte[] b) {
        if (b == null) {
            return "(none)";
        }
        String h = HexFormat.of().formatHex(b, 0, Math.min(b.length, 512));
        return b.length > 512 ? h + "... (" + b.length + " bytes)" : h;
    }

    private static String stackOf(Throwable t) {
        java.io.StringWriter sw = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(sw));
        return sw.toString();
    }
}
