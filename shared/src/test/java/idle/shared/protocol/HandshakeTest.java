package idle.shared.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HandshakeTest {

    @Test
    void helloLayoutIsMagicVersionAndZeroReservedBits() {
        assertArrayEquals(new byte[] {'I', 'D', 'L', 'E', 0, 1, 0, 0}, Handshake.hello(1));
        assertArrayEquals(new byte[] {'I', 'D', 'L', 'E', 0x12, 0x34, 0, 0},
                Handshake.hello(0x1234));
        assertEquals(Handshake.HELLO_BYTES, Handshake.hello(Handshake.VERSION).length);
    }

    @Test
    void writeThenReadGivesOurVersion() throws IOException, ProtocolException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Handshake.writeHello(out);
        assertArrayEquals(Handshake.hello(Handshake.VERSION), out.toByteArray());
        assertEquals(Handshake.VERSION,
                Handshake.readHello(new ByteArrayInputStream(out.toByteArray())));
    }

    @Test
    void parseHelloReturnsThePeersVersionEvenWhenItIsNotOurs() throws ProtocolException {
        // Deciding whether a version is acceptable is the caller's job (it answers ILR).
        assertEquals(2, Handshake.parseHello(Handshake.hello(2)));
        assertEquals(0, Handshake.parseHello(Handshake.hello(0)));
        assertEquals(0xffff, Handshake.parseHello(Handshake.hello(0xffff)));
        assertEquals(0x0100, Handshake.parseHello(new byte[] {'I', 'D', 'L', 'E', 1, 0, 0, 0}));
    }

    @Test
    void readHelloLeavesTheFollowingBytesForTheFrameReader() throws IOException, ProtocolException {
        byte[] both = new byte[Handshake.HELLO_BYTES + 3];
        System.arraycopy(Handshake.hello(1), 0, both, 0, Handshake.HELLO_BYTES);
        both[8] = 'B';
        ByteArrayInputStream in = new ByteArrayInputStream(both);
        assertEquals(1, Handshake.readHello(in));
        assertEquals('B', in.read());
    }

    @Test
    void badMagic() {
        byte[] http = "GET / HT".getBytes(StandardCharsets.US_ASCII);
        ProtocolException e = assertThrows(ProtocolException.class, () -> Handshake.parseHello(http));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
        byte[] tls = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00};
        assertThrows(ProtocolException.class, () -> Handshake.parseHello(tls));
        byte[] lower = {'i', 'D', 'L', 'E', 0, 1, 0, 0};
        assertThrows(ProtocolException.class, () -> Handshake.parseHello(lower));
    }

    @Test
    void nonZeroReservedBits() {
        for (int i = 6; i < 8; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = Handshake.hello(1);
                b[i] = (byte) (1 << bit);
                ProtocolException e = assertThrows(ProtocolException.class,
                        () -> Handshake.parseHello(b));
                assertEquals("reserved hello bits are not zero", e.getMessage());
            }
        }
    }

    @Test
    void shortHelloIsAProtocolErrorNotAnIndexError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> Handshake.parseHello(new byte[] {'I', 'D', 'L'}));
        assertTrue(e.getMessage().contains("8 bytes"), e.getMessage());
    }

    @Test
    void streamEndingDuringTheHelloIsEof() {
        EOFException e = assertThrows(EOFException.class, () -> Handshake.readHello(
                new ByteArrayInputStream(new byte[] {'I', 'D', 'L', 'E', 0})));
        assertEquals("connection closed during version exchange", e.getMessage());
        assertThrows(EOFException.class,
                () -> Handshake.readHello(new ByteArrayInputStream(new byte[0])));
    }
}
