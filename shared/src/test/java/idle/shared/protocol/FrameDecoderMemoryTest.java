package idle.shared.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A header that announces 4 MiB must not make the receiver allocate 4 MiB: with thousands of
 * connections that is a memory exhaustion any unauthenticated peer could cause (issue 6). The
 * buffer grows with the bytes that really arrive.
 */
class FrameDecoderMemoryTest {
    @Test
    void anAnnouncedPayloadCostsOnlyWhatArrived() throws Exception {
        byte[] header = new Frame(Code.GPW, 1, new byte[0]).toBytes();
        Frame.putInt(header, 8, Limits.MAX_PAYLOAD);
        FrameDecoder d = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        d.feed(header, 0, header.length, out);
        d.feed(new byte[100], 0, 100, out);
        assertTrue(out.isEmpty());
        assertTrue(d.bufferedCapacity() <= 8 * 1024, "holds " + d.bufferedCapacity() + " bytes");
    }

    @Test
    void aBigPayloadArrivingInPiecesIsIntact() throws Exception {
        byte[] data = new byte[Limits.MAX_PAYLOAD];
        new Random(7).nextBytes(data);
        byte[] wire = new Frame(Code.DAT, 3, data).toBytes();
        FrameDecoder d = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        Random r = new Random(8);
        for (int at = 0; at < wire.length; ) {
            int n = Math.min(wire.length - at, 1 + r.nextInt(70_000));
            d.feed(wire, at, n, out);
            at += n;
            if (at < wire.length && out.isEmpty()) {
                assertTrue(d.bufferedCapacity() <= 2L * at + 8 * 1024, "capacity follows arrival");
            }
        }
        assertEquals(1, out.size());
        assertArrayEquals(data, out.get(0).payload());
        assertTrue(d.isIdle());
    }
}
