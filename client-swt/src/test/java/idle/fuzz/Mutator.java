package idle.fuzz;

import idle.shared.protocol.Code;
import idle.shared.protocol.Limits;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutates frames the way protocol bugs like to be found: bit flips, interesting integers over
 * lengths and ids, other codes, truncation, insertion, deletion, duplication, splices of two
 * frames, and now and then pure junk. Deterministic for a given {@link Random}.
 */
final class Mutator {
    static final int[] INTERESTING = {0, 1, 2, 3, 7, 8, 12, 63, 64, 127, 128, 255, 256, 0x7fff,
        0x8000, 0xfffe, 0xffff, 0x10000, 10_000, 10_001, Limits.MAX_PAYLOAD,
        Limits.MAX_PAYLOAD + 1, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -2};
    private static final Code[] CODES = Code.values();

    private Mutator() {
    }

    /** One mutant of {@code base}; {@code corpus} provides splice partners. */
    static byte[] mutate(byte[] base, List<byte[]> corpus, Random r) {
        byte[] b = base.clone();
        int rounds = 1 + (r.nextInt(4) == 0 ? r.nextInt(6) : 0);
        for (int k = 0; k < rounds; k++) {
            b = once(b, corpus, r);
        }
        return b;
    }

    private static byte[] once(byte[] b, List<byte[]> corpus, Random r) {
        switch (r.nextInt(13)) {
            case 0 -> { // flip a bit
                if (b.length > 0) {
                    int i = r.nextInt(b.length);
                    b[i] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> { // a random byte
                if (b.length > 0) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            case 2 -> { // an interesting 32-bit value anywhere (lengths, counts, ids)
                if (b.length >= 4) {
                    putInt(b, r.nextInt(b.length - 3), INTERESTING[r.nextInt(INTERESTING.length)]);
                }
            }
            case 3 -> { // an interesting 16-bit value (string lengths, list counts)
                if (b.length >= 2) {
                    int v = INTERESTING[r.nextInt(INTERESTING.length)];
                    int i = r.nextInt(b.length - 1);
                    b[i] = (byte) (v >>> 8);
                    b[i + 1] = (byte) v;
                }
            }
            case 4 -> { // another code in the header
                if (b.length >= 3) {
                    byte[] c = CODES[r.nextInt(CODES.length)].wireBytes();
                    System.arraycopy(c, 0, b, 0, 3);
                }
            }
            case 5 -> { // the header's length field off by a little or a lot
                if (b.length >= Limits.HEADER_BYTES) {
                    int len = b.length - Limits.HEADER_BYTES;
                    putInt(b, 8, r.nextBoolean() ? len + r.nextInt(9) - 4
                            : INTERESTING[r.nextInt(INTERESTING.length)]);
                }
            }
            case 6 -> { // truncate
                if (b.length > 0) {
                    b = Arrays.copyOf(b, r.nextInt(b.length));
                }
            }
            case 7 -> { // insert random bytes
                int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
                byte[] ins = new byte[1 + r.nextInt(16)];
                r.nextBytes(ins);
                b = splice(b, at, at, ins);
            }
            case 8 -> { // delete a range
                if (b.length > 1) {
                    int from = r.nextInt(b.length);
                    int to = Math.min(b.length, from + 1 + r.nextInt(16));
                    b = splice(b, from, to, new byte[0]);
                }
            }
            case 9 -> { // duplicate a range
                if (b.length > 1) {
                    int from = r.nextInt(b.length);
                    int to = Math.min(b.length, from + 1 + r.nextInt(32));
                    b = splice(b, to, to, Arrays.copyOfRange(b, from, to));
                }
            }
            case 10 -> { // splice with another frame
                byte[] o = corpus.get(r.nextInt(corpus.size()));
                int cut = b.length == 0 ? 0 : r.nextInt(b.length);
                int ocut = o.length == 0 ? 0 : r.nextInt(o.length);
                b = splice(Arrays.copyOf(b, cut), cut, cut, Arrays.copyOfRange(o, ocut, o.length));
            }
            case 11 -> { // the request id
                if (b.length >= 8) {
                    putInt(b, 4, r.nextBoolean() ? r.nextInt(5) - 2
                            : INTERESTING[r.nextInt(INTERESTING.length)]);
                }
            }
            default -> { // junk
                byte[] j = new byte[r.nextInt(64)];
                r.nextBytes(j);
                b = j;
            }
        }
        return b;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] ins) {
        byte[] out = new byte[b.length - (to - from) + ins.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(ins, 0, out, from, ins.length);
        System.arraycopy(b, to, out, from + ins.length, b.length - to);
        return out;
    }
}
