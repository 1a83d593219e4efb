package idle.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LinePrefixerTest {
    @Test
    void prefixesWholeLinesAcrossChunksAndFinishesAPartialOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LinePrefixer p = new LinePrefixer("[a.py] ", new PrintStream(bytes, true, StandardCharsets.UTF_8));
        p.write("one\ntw".getBytes(StandardCharsets.UTF_8));
        p.write("o\n\nthr".getBytes(StandardCharsets.UTF_8));
        assertEquals("[a.py] one\n[a.py] two\n[a.py] \n", bytes.toString(StandardCharsets.UTF_8));
        p.finish();
        assertEquals("[a.py] one\n[a.py] two\n[a.py] \n[a.py] thr\n", bytes.toString(StandardCharsets.UTF_8));
        p.finish();
        assertEquals("[a.py] one\n[a.py] two\n[a.py] \n[a.py] thr\n", bytes.toString(StandardCharsets.UTF_8));
    }
}
