package idle.shared.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FrameAndCodeTest {

    @Test
    void headerLayoutIsCodeFlagsIdLengthBigEndian() {
        Frame f = new Frame(Code.OK, 0x01020304, new byte[] {(byte) 0xaa, (byte) 0xbb});
        assertArrayEquals(new byte[] {'O', 'K', ' ', 0, 1, 2, 3, 4, 0, 0, 0, 2,
                (byte) 0xaa, (byte) 0xbb}, f.toBytes());
        Frame neg = new Frame(Code.EXF, -1, new byte[0]);
        assertArrayEquals(new byte[] {'E', 'X', 'F', 0, -1, -1, -1, -1, 0, 0, 0, 0}, neg.toBytes());
    }

    @Test
    void thereAre39CodesOfWhich21AreTheSeeds() {
        assertEquals(39, Code.values().length);
        Map<Code.Kind, Integer> perKind = new EnumMap<>(Code.Kind.class);
        for (Code c : Code.values()) {
            perKind.merge(c.kind(), 1, Integer::sum);
        }
        assertEquals(Map.of(Code.Kind.REQUEST, 8, Code.Kind.RESPONSE, 8, Code.Kind.FUNCTION, 5,
                Code.Kind.ADDED, 18), perKind);
    }

    @Test
    void everyCodeIsThreeDistinctAsciiBytesThatMapBack() {
        Set<String> seen = new HashSet<>();
        for (Code c : Code.values()) {
            byte[] w = c.wireBytes();
            assertEquals(3, w.length);
            String s = new String(w, StandardCharsets.US_ASCII);
            assertEquals((c.name() + "  ").substring(0, 3), s);
            assertEquals(c, Code.fromWire(w, 0));
            byte[] shifted = new byte[5];
            System.arraycopy(w, 0, shifted, 2, 3);
            assertEquals(c, Code.fromWire(shifted, 2));
            seen.add(s);
        }
        assertEquals(39, seen.size());
        assertArrayEquals("OK ".getBytes(StandardCharsets.US_ASCII), Code.OK.wireBytes());
    }

    @Test
    void wireBytesIsACopy() {
        byte[] w = Code.SCF.wireBytes();
        w[0] = 'X';
        assertEquals('S', Code.SCF.wireBytes()[0]);
    }

    @Test
    void unknownWireBytesMapToNull() {
        assertNull(Code.fromWire("OK\0".getBytes(StandardCharsets.ISO_8859_1), 0));
        assertNull(Code.fromWire("scf".getBytes(StandardCharsets.US_ASCII), 0));
        assertNull(Code.fromWire(new byte[] {(byte) 0xcf, 'C', 'F'}, 0));
    }

    @Test
    void framesCompareByContent() {
        Frame a = new Frame(Code.DAT, 1, new byte[] {1, 2});
        assertEquals(a, new Frame(Code.DAT, 1, new byte[] {1, 2}));
        assertEquals(a.hashCode(), new Frame(Code.DAT, 1, new byte[] {1, 2}).hashCode());
        assertNotEquals(a, new Frame(Code.DAT, 2, new byte[] {1, 2}));
        assertNotEquals(a, new Frame(Code.OUT, 1, new byte[] {1, 2}));
        assertNotEquals(a, new Frame(Code.DAT, 1, new byte[] {1, 3}));
        assertEquals("Frame[DAT #1 2B]", a.toString());
    }

    @Test
    void frameRefusesOversizePayloadAndNulls() {
        assertThrows(IllegalArgumentException.class,
                () -> new Frame(Code.DAT, 1, new byte[Limits.MAX_PAYLOAD + 1]));
        assertEquals(Limits.MAX_PAYLOAD, new Frame(Code.DAT, 1, new byte[Limits.MAX_PAYLOAD])
                .payload().length);
        assertThrows(NullPointerException.class, () -> new Frame(null, 1, new byte[0]));
        assertThrows(NullPointerException.class, () -> new Frame(Code.OK, 1, null));
    }

    @Test
    void getIntAndPutIntAreInverse() {
        byte[] b = new byte[6];
        for (int v : new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7f80ff01}) {
            Arrays.fill(b, (byte) 0x55);
            Frame.putInt(b, 1, v);
            assertEquals(v, Frame.getInt(b, 1));
            assertEquals(0x55, b[0]);
            assertEquals(0x55, b[5]);
        }
    }

    @Test
    void sha256IsLowercaseHexOfTheContent() throws Exception {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Sha256.hex(new byte[0]));
        java.security.MessageDigest d = Sha256.digest();
        d.update("a".getBytes(StandardCharsets.US_ASCII));
        d.update("bc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)), Sha256.hex(d));
        java.nio.file.Path file = java.nio.file.Files.createTempFile("sha", ".txt");
        try {
            java.nio.file.Files.writeString(file, "abc");
            assertEquals(Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)), Sha256.hex(file));
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void sha256IsHexAcceptsOnlyTheWireForm() {
        String ok = Sha256.hex(new byte[0]);
        assertEquals(true, Sha256.isHex(ok));
        assertEquals(false, Sha256.isHex(null));
        assertEquals(false, Sha256.isHex(ok.toUpperCase(java.util.Locale.ROOT)));
        assertEquals(false, Sha256.isHex(ok.substring(1)));
        assertEquals(false, Sha256.isHex(ok + "0"));
        assertEquals(false, Sha256.isHex(ok.substring(1) + "g"));
        assertEquals(false, Sha256.isHex(ok.substring(1) + "٣")); // Arabic-Indic digit three
    }
}
