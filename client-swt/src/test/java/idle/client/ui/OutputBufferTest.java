package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.ui.output.OutputBuffer;
import idle.client.ui.output.OutputBuffer.Kind;
import idle.client.ui.output.OutputBuffer.Segment;
import idle.shared.model.StreamKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The buffer between the network and an output tab: decoding, line keeping, bounds. No SWT. */
class OutputBufferTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(List<Segment> segments) {
        StringBuilder sb = new StringBuilder();
        segments.forEach(s -> sb.append(s.text()));
        return sb.toString();
    }

    @Test
    void aCharacterSplitAcrossChunksIsDecodedWhole() {
        OutputBuffer b = new OutputBuffer(1000);
        byte[] euro = utf8("€\n");
        b.append(StreamKind.STDOUT, new byte[] {euro[0]});
        b.append(StreamKind.STDOUT, new byte[] {euro[1], euro[2], euro[3]});
        assertEquals("€\n", text(b.drain().segments()));
    }

    @Test
    void aLineIsNotCutByTheOtherStream() {
        OutputBuffer b = new OutputBuffer(1000);
        b.append(StreamKind.STDOUT, utf8("hello"));
        b.append(StreamKind.STDERR, utf8("warning\n"));
        b.append(StreamKind.STDOUT, utf8("\n"));
        List<Segment> s = b.drain().segments();
        assertEquals(List.of(new Segment(Kind.STDERR, "warning\n"), new Segment(Kind.STDOUT, "hello\n")), s);
    }

    @Test
    void anUnfinishedLineShowsAfterATick() {
        OutputBuffer b = new OutputBuffer(1000);
        b.append(StreamKind.STDOUT, utf8("Password: "));
        assertTrue(b.drain().isEmpty(), "held for one tick, in case its newline follows");
        assertEquals("Password: ", text(b.drain().segments()));
    }

    @Test
    void whatWaitsIsBoundedAndTheDropIsCounted() {
        OutputBuffer b = new OutputBuffer(100);
        for (int i = 0; i < 50; i++) {
            b.append(StreamKind.STDOUT, utf8("0123456789\n"));
        }
        OutputBuffer.Batch batch = b.drain();
        assertEquals(100, text(batch.segments()).length());
        assertEquals(450, batch.droppedChars());
        assertTrue(text(batch.segments()).endsWith("0123456789\n"), "the newest output is kept");
    }

    @Test
    void aDrainTakesAtMostItsBudgetOldestFirst() {
        OutputBuffer b = new OutputBuffer(1000);
        b.append(StreamKind.STDOUT, utf8("first line\n"));
        b.append(StreamKind.STDERR, utf8("second\n"));
        assertEquals("first", text(b.drain(5).segments()));
        assertEquals(13, b.pendingChars());
        assertEquals(List.of(new Segment(Kind.STDOUT, " line\n"), new Segment(Kind.STDERR, "second\n")),
                b.drain(100).segments());
    }

    @Test
    void aNoteComesAfterTheTextBeforeIt() {
        OutputBuffer b = new OutputBuffer(1000);
        b.append(StreamKind.STDOUT, utf8("no newline at the end"));
        b.note("done");
        assertEquals(List.of(new Segment(Kind.STDOUT, "no newline at the end"), new Segment(Kind.NOTE, "done\n")),
                b.drain().segments());
    }
}
