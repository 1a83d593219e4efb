package idle.fuzz;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameDecoder;
import idle.shared.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Fuzzes the frame decoder and the codec in-process. Every input, fed in random pieces, must end
 * in frames that decode and re-encode to the same bytes, in a {@link ProtocolException}, or in an
 * incomplete frame; anything else is a crash.
 *
 * <p>Guided by outcomes, a cheap stand-in for coverage: an input whose outcome was never seen
 * before (which code decoded, or which kind of error, digits ignored) joins the corpus, so later
 * mutants start from inputs that reached new places.
 */
final class CodecFuzzer {
    /** A crash: the input and what happened. */
    record Crash(byte[] input, Throwable error) {
        String describe() {
            return error + "\n  input: " + HexFormat.of().formatHex(input);
        }
    }

    private final List<byte[]> corpus = new ArrayList<>();
    private final Set<String> outcomes = new HashSet<>();
    private final Random random;
    long inputs;
    long frames;
    long rejected;

    CodecFuzzer(List<byte[]> seeds, long seed) {
        corpus.addAll(seeds);
        this.random = new Random(seed);
    }

    int corpusSize() {
        return corpus.size();
    }

    int outcomeCount() {
        return outcomes.size();
    }

    /** Runs {@code n} inputs or until {@code deadlineNanos}; returns the first crash, or null. */
    Crash run(long n, long deadlineNanos) {
        for (long i = 0; i < n && System.nanoTime() < deadlineNanos; i++) {
            byte[] base = corpus.get(random.nextInt(corpus.size()));
            byte[] input = random.nextInt(10) == 0 ? base.clone()
                    : Mutator.mutate(base, corpus, random);
            Crash c = one(input, random.nextLong());
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** One input; deterministic for ({@code input}, {@code splitSeed}). Public for regressions. */
    Crash one(byte[] input, long splitSeed) {
        inputs++;
        String outcome;
        try {
            outcome = feed(input, new Random(splitSeed));
        } catch (RuntimeException | Error e) {
            return new Crash(input, e);
        }
        if (outcomes.add(outcome) && corpus.size() < 50_000) {
            corpus.add(input);
        }
        return null;
    }

    private String feed(byte[] input, Random split) {
        FrameDecoder d = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        StringBuilder sig = new StringBuilder();
        int at = 0;
        try {
            while (at < input.length) {
                int n = Math.min(input.length - at, 1 + split.nextInt(Math.max(1, input.length)));
                d.feed(input, at, n, out);
                at += n;
            }
        } catch (ProtocolException e) {
            rejected++;
            sig.append("frame:").append(shape(e.getMessage())).append(';');
        }
        for (Frame f : out) {
            frames++;
            try {
                Message m = Codec.decode(f);
                Frame again = Codec.encode(f.requestId(), m);
                if (!Arrays.equals(again.payload(), f.payload()) || again.code() != f.code()) {
                    throw new AssertionError("not canonical: " + f + " re-encodes as " + again);
                }
                sig.append(f.code()).append(';');
            } catch (ProtocolException e) {
                rejected++;
                sig.append(f.code()).append(':').append(shape(e.getMessage())).append(';');
            }
        }
        if (!d.isIdle()) {
            sig.append("incomplete");
        }
        return sig.toString();
    }

    private static String shape(String message) {
        return message == null ? "null" : message.replaceAll("[0-9a-fA-F]{2,}|\\d+", "#");
    }
}
