package idle.shared.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.SampleMessages;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Frames arriving in pieces, several at once, and every malformed header. */
class FrameDecoderTest {

    private static byte[] concat(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(f.toBytes());
        }
        return out.toByteArray();
    }

    private static byte[] header(String code, int flags, int id, int length) {
        byte[] h = new byte[Limits.HEADER_BYTES];
        byte[] c = code.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(c, 0, h, 0, 3);
        h[3] = (byte) flags;
        Frame.putInt(h, 4, id);
        Frame.putInt(h, 8, length);
        return h;
    }

    private static ProtocolException rejects(FrameDecoder d, byte[] bytes, String expected) {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> d.feed(bytes, 0, bytes.length));
        assertTrue(e.getMessage().contains(expected),
                () -> "message \"" + e.getMessage() + "\" should contain \"" + expected + "\"");
        return e;
    }

    @Test
    void everyFrameSplitAtEveryByteBoundary() throws ProtocolException {
        for (Frame f : SampleMessages.frames()) {
            byte[] b = f.toBytes();
            for (int cut = 0; cut <= b.length; cut++) {
                FrameDecoder d = new FrameDecoder();
                List<Frame> first = d.feed(b, 0, cut);
                List<Frame> second = d.feed(b, cut, b.length - cut);
                List<Frame> all = new ArrayList<>(first);
                all.addAll(second);
                assertEquals(List.of(f), all, f + " cut at " + cut);
                // Complete only once the last byte is in (a frame with no payload completes with
                // its header, so a cut at the end leaves nothing for the second feed).
                assertEquals(cut == b.length ? 1 : 0, first.size(), f + " cut at " + cut);
                assertTrue(d.isIdle());
            }
        }
    }

    @Test
    void aStreamOfFramesFedOneByteAtATime() throws ProtocolException {
        List<Frame> frames = SampleMessages.frames();
        byte[] stream = concat(frames);
        FrameDecoder d = new FrameDecoder();
        List<Frame> got = new ArrayList<>();
        for (int i = 0; i < stream.length; i++) {
            d.feed(stream, i, 1, got);
        }
        assertEquals(frames, got);
        assertTrue(d.isIdle());
    }

    @Test
    void allFramesInOneRead() throws ProtocolException {
        List<Frame> frames = SampleMessages.frames();
        byte[] stream = concat(frames);
        List<Frame> got = new FrameDecoder().feed(stream, 0, stream.length);
        assertEquals(frames, got);
        List<Message> decoded = new ArrayList<>();
        for (Frame f : got) {
            decoded.add(Codec.decode(f));
        }
        assertEquals(SampleMessages.everything(), decoded);
    }

    @Test
    void randomPiecesWithAnOffsetIntoALargerBuffer() throws ProtocolException {
        List<Frame> frames = SampleMessages.frames();
        byte[] stream = concat(frames);
        long seed = 20191128L;
        Random rnd = new Random(seed);
        for (int round = 0; round < 50; round++) {
            FrameDecoder d = new FrameDecoder();
            List<Frame> got = new ArrayList<>();
            int pos = 0;
            while (pos < stream.length) {
                int n = Math.min(stream.length - pos, 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 5000));
                byte[] buf = new byte[n + 10]; // the piece sits at offset 7 of a bigger buffer
                System.arraycopy(stream, pos, buf, 7, n);
                d.feed(buf, 7, n, got);
                pos += n;
            }
            assertEquals(frames, got, "seed " + seed + " round " + round);
        }
    }

    @Test
    void partialFrameStateIsVisibleThroughIsIdle() throws ProtocolException {
        byte[] b = Codec.encode(3, new Message.Ack(1)).toBytes();
        FrameDecoder d = new FrameDecoder();
        assertTrue(d.isIdle());
        d.feed(b, 0, 5);
        assertFalse(d.isIdle(), "inside the header");
        d.feed(b, 5, Limits.HEADER_BYTES - 5);
        assertFalse(d.isIdle(), "header complete, payload missing");
        d.feed(b, Limits.HEADER_BYTES, b.length - Limits.HEADER_BYTES - 1);
        assertFalse(d.isIdle());
        assertEquals(1, d.feed(b, b.length - 1, 1).size());
        assertTrue(d.isIdle());
    }

    @Test
    void feedingNothingYieldsNothing() throws ProtocolException {
        assertEquals(List.of(), new FrameDecoder().feed(new byte[4], 2, 0));
    }

    // ---- malformed headers: one case each ------------------------------------------------

    @Test
    void unknownCode() {
        rejects(new FrameDecoder(), header("XYZ", 0, 1, 0), "unknown code 0x58595a");
    }

    @Test
    void codeInLowerCaseIsUnknown() {
        rejects(new FrameDecoder(), header("ok ", 0, 1, 8), "unknown code 0x6f6b20");
    }

    @Test
    void codePaddedWithNulInsteadOfSpaceIsUnknown() {
        rejects(new FrameDecoder(), header("OK\0", 0, 1, 8), "unknown code 0x4f4b00");
    }

    @Test
    void unknownCodeIsReportedAsSoonAsTheHeaderIsIn() {
        FrameDecoder d = new FrameDecoder();
        byte[] h = header("HTT", 0, 0x502f312e, 0x310d0a0d);
        ProtocolException e = assertThrows(ProtocolException.class, () -> {
            for (int i = 0; i < h.length; i++) {
                d.feed(h, i, 1);
            }
        });
        assertTrue(e.getMessage().startsWith("unknown code"), e.getMessage());
    }

    @Test
    void nonZeroFlagsByte() {
        rejects(new FrameDecoder(), header("SCF", 1, 1, 1), "reserved flags byte is 1, expected 0");
        rejects(new FrameDecoder(), header("SCF", 0x80, 1, 1), "reserved flags byte is 128");
    }

    @Test
    void negativeLength() {
        rejects(new FrameDecoder(), header("OUT", 0, 1, -1),
                "payload length 4294967295 outside 0..4194304");
        rejects(new FrameDecoder(), header("OUT", 0, 1, Integer.MIN_VALUE),
                "payload length 2147483648 outside 0..4194304");
    }

    @Test
    void lengthOverMaxPayload() {
        rejects(new FrameDecoder(), header("DAT", 0, 1, Limits.MAX_PAYLOAD + 1),
                "payload length 4194305 outside 0..4194304");
    }

    @Test
    void lengthExactlyMaxPayloadIsAccepted() throws ProtocolException {
        FrameDecoder d = new FrameDecoder();
        assertEquals(List.of(), d.feed(header("DAT", 0, 1, Limits.MAX_PAYLOAD), 0, 12));
        assertFalse(d.isIdle());
    }

    @Test
    void lengthOverASmallerDecoderLimit() throws ProtocolException {
        FrameDecoder d = new FrameDecoder(1024);
        byte[] at = header("GID", 0, 1, 1024);
        assertEquals(List.of(), d.feed(at, 0, at.length));
        byte[] rest = new byte[1024];
        assertEquals(1, d.feed(rest, 0, rest.length).size());
        rejects(new FrameDecoder(1024), header("GID", 0, 1, 1025), "payload length 1025 outside 0..1024");
    }

    @Test
    void aZeroLimitDecoderAcceptsOnlyEmptyPayloads() throws ProtocolException {
        FrameDecoder d = new FrameDecoder(0);
        byte[] bye = Codec.encode(1, new Message.Bye()).toBytes();
        assertEquals(1, d.feed(bye, 0, bye.length).size());
        rejects(d, header("OK ", 0, 1, 1), "payload length 1 outside 0..0");
    }

    @Test
    void decoderLimitMustBeWithinTheProtocolLimit() {
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(-1));
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(Limits.MAX_PAYLOAD + 1));
    }

    @Test
    void aFailedDecoderStaysFailed() throws ProtocolException {
        FrameDecoder d = new FrameDecoder();
        rejects(d, header("SCF", 9, 1, 0), "flags");
        byte[] good = Codec.encode(1, new Message.Bye()).toBytes();
        rejects(d, good, "decoder already failed");
    }

    @Test
    void framesBeforeTheBadOneAreNotLost() throws ProtocolException {
        byte[] good = Codec.encode(1, new Message.Ack(5)).toBytes();
        byte[] both = Arrays.copyOf(good, good.length + Limits.HEADER_BYTES);
        System.arraycopy(header("???", 0, 1, 0), 0, both, good.length, Limits.HEADER_BYTES);
        FrameDecoder d = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        assertThrows(ProtocolException.class, () -> d.feed(both, 0, both.length, out));
        assertEquals(List.of(Codec.encode(1, new Message.Ack(5))), out);
    }
}
