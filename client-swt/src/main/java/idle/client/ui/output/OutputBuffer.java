package idle.client.ui.output;

import idle.shared.model.StreamKind;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Output waiting to be shown: service threads {@link #append} chunks as they arrive, the UI
 * thread {@link #drain}s them on a timer, so a script printing megabytes per second costs the UI
 * one update per tick instead of one per chunk. UTF-8 is decoded per stream across chunk
 * boundaries. What waits is bounded: past {@code maxPendingChars} the oldest waiting text is
 * dropped and counted (the full output stays on the server). Thread-safe; no SWT.
 */
public final class OutputBuffer {
    /** What a piece of text is: a stream of the job or a note from the workbench. */
    public enum Kind { STDOUT, STDERR, NOTE }

    /** A run of text of one kind. */
    public record Segment(Kind kind, String text) {
    }

    /** What one drain returns: runs in order, and how many characters were dropped before them. */
    public record Batch(List<Segment> segments, long droppedChars) {
        public boolean isEmpty() {
            return segments.isEmpty() && droppedChars == 0;
        }
    }

    private final int maxPendingChars;
    /** Fair, so a producer flooding in a tight loop cannot starve the UI thread's drain. */
    private final ReentrantLock lock = new ReentrantLock(true);
    private final ArrayDeque<Segment> pending = new ArrayDeque<>();
    private final Map<StreamKind, CharsetDecoder> decoders = new EnumMap<>(StreamKind.class);
    private final Map<StreamKind, byte[]> carry = new EnumMap<>(StreamKind.class);
    private final Map<Kind, String> partial = new EnumMap<>(Kind.class);
    private final Map<Kind, Integer> partialAge = new EnumMap<>(Kind.class);
    private long pendingChars;
    private long dropped;

    public OutputBuffer(int maxPendingChars) {
        if (maxPendingChars < 1) {
            throw new IllegalArgumentException("maxPendingChars must be positive");
        }
        this.maxPendingChars = maxPendingChars;
        for (StreamKind s : StreamKind.values()) {
            decoders.put(s, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE));
        }
    }

    /**
     * Adds a chunk of a stream. Bytes of a UTF-8 character split across chunks are kept until
     * the next chunk of the same stream completes it. Any thread.
     */
    public void append(StreamKind stream, byte[] data) {
        lock.lock();
        try {
            byte[] rest = carry.remove(stream);
            if (rest != null) {
                byte[] joined = new byte[rest.length + data.length];
                System.arraycopy(rest, 0, joined, 0, rest.length);
                System.arraycopy(data, 0, joined, rest.length, data.length);
                data = joined;
            }
            CharsetDecoder decoder = decoders.get(stream);
            ByteBuffer in = ByteBuffer.wrap(data);
            CharBuffer out = CharBuffer.allocate(data.length + 4);
            decoder.decode(in, out, false);
            out.flip();
            if (in.hasRemaining()) {
                byte[] tail = new byte[in.remaining()];
                in.get(tail);
                carry.put(stream, tail);
            }
            Kind kind = stream == StreamKind.STDOUT ? Kind.STDOUT : Kind.STDERR;
            String text = partial.getOrDefault(kind, "") + out;
            int lastNewline = text.lastIndexOf('\n');
            // Keep an unfinished line back (briefly) so that the other stream's lines do not
            // land in its middle: python3 -u writes a line's text and its newline separately.
            add(kind, text.substring(0, lastNewline + 1));
            String unfinished = text.substring(lastNewline + 1);
            if (unfinished.isEmpty()) {
                partial.remove(kind);
                partialAge.remove(kind);
            } else {
                partial.put(kind, unfinished);
                partialAge.putIfAbsent(kind, 0);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Adds a note of the workbench's own (shown in another colour, on its own line). Any thread. */
    public void note(String text) {
        lock.lock();
        try {
            for (Kind k : List.copyOf(partial.keySet())) {
                add(k, partial.remove(k));
            }
            partialAge.clear();
            add(Kind.NOTE, text.endsWith("\n") ? text : text + "\n");
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the decoders' partial characters, e.g. when a job restarts on another lender. */
    public void resetStreams() {
        lock.lock();
        try {
            partial.clear();
            partialAge.clear();
            carry.clear();
            decoders.values().forEach(CharsetDecoder::reset);
        } finally {
            lock.unlock();
        }
    }

    private void add(Kind kind, String text) {
        if (text.isEmpty()) {
            return;
        }
        Segment last = pending.peekLast();
        if (last != null && last.kind == kind && last.text.length() < 64 * 1024) {
            pending.pollLast();
            pending.addLast(new Segment(kind, last.text + text));
        } else {
            pending.addLast(new Segment(kind, text));
        }
        pendingChars += text.length();
        while (pendingChars > maxPendingChars && pending.size() > 1) {
            Segment old = pending.pollFirst();
            pendingChars -= old.text.length();
            dropped += old.text.length();
        }
        if (pendingChars > maxPendingChars) {
            Segment only = pending.pollFirst();
            int cut = (int) (pendingChars - maxPendingChars);
            pending.addFirst(new Segment(only.kind, only.text.substring(cut)));
            pendingChars -= cut;
            dropped += cut;
        }
    }

    /** Takes everything waiting. UI thread in practice, but any thread works. */
    public Batch drain() {
        return drain(Integer.MAX_VALUE);
    }

    /**
     * Takes at most {@code maxChars} of what waits, oldest first; the rest stays for the next
     * call. UI thread in practice, but any thread works.
     */
    public Batch drain(int maxChars) {
        lock.lock();
        try {
            // An unfinished line that waited a whole tick is shown as it is (a prompt, a progress
            // bar): only a line completed within the same tick is held together.
            for (Kind k : List.copyOf(partial.keySet())) {
                int age = partialAge.merge(k, 1, Integer::sum);
                if (age > 1) {
                    add(k, partial.remove(k));
                    partialAge.remove(k);
                }
            }
            List<Segment> out = new ArrayList<>();
            int budget = maxChars;
            while (budget > 0 && !pending.isEmpty()) {
                Segment first = pending.pollFirst();
                if (first.text.length() <= budget) {
                    out.add(first);
                    budget -= first.text.length();
                    pendingChars -= first.text.length();
                } else {
                    out.add(new Segment(first.kind, first.text.substring(0, budget)));
                    pending.addFirst(new Segment(first.kind, first.text.substring(budget)));
                    pendingChars -= budget;
                    budget = 0;
                }
            }
            long d = dropped;
            dropped = 0;
            return new Batch(out, d);
        } finally {
            lock.unlock();
        }
    }

    /** Characters waiting (for tests and diagnostics). */
    public long pendingChars() {
        lock.lock();
        try {
            return pendingChars;
        } finally {
            lock.unlock();
        }
    }
}
