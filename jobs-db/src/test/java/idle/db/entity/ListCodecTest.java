package idle.db.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import idle.shared.model.OutputFileInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListCodecTest {
    @Test
    void encodesWithLengthPrefixes() {
        assertEquals("1:a0:3:b:c", ListCodec.encode(List.of("a", "", "b:c")));
        assertEquals("", ListCodec.encode(List.of()));
        assertEquals("", ListCodec.encode(null));
    }

    @Test
    void roundTripsAwkwardContent() {
        List<String> values = List.of("", "12:", ":", "1:a", "line\nbreak", "ünï cödé \uD83D\uDE00", "x".repeat(70_000));
        assertEquals(values, ListCodec.decode(ListCodec.encode(values)));
        assertEquals(List.of(""), ListCodec.decode(ListCodec.encode(List.of(""))));
    }

    @Test
    void nullAndEmptyTextAreTheEmptyList() {
        assertEquals(List.of(), ListCodec.decode(null));
        assertEquals(List.of(), ListCodec.decode(""));
    }

    @Test
    void rejectsMalformedText() {
        assertThrows(IllegalArgumentException.class, () -> ListCodec.decode("abc"));
        assertThrows(IllegalArgumentException.class, () -> ListCodec.decode(":abc"));
        assertThrows(IllegalArgumentException.class, () -> ListCodec.decode("5:abc"));
        assertThrows(IllegalArgumentException.class, () -> ListCodec.decode("-1:abc"));
        assertThrows(IllegalArgumentException.class, () -> ListCodec.decode("1:a2"));
        assertThrows(IllegalArgumentException.class, () -> ListCodec.encode(java.util.Arrays.asList("a", null)));
    }

    @Test
    void outputFilesRoundTrip() {
        OutputFilesConverter c = new OutputFilesConverter();
        List<OutputFileInfo> files = List.of(new OutputFileInfo("a b:c.txt", 12, "ab".repeat(32)),
                new OutputFileInfo("", 0, ""));
        assertEquals(files, c.convertToEntityAttribute(c.convertToDatabaseColumn(files)));
        assertEquals(List.of(), c.convertToEntityAttribute(c.convertToDatabaseColumn(List.of())));
        assertThrows(IllegalArgumentException.class, () -> c.convertToEntityAttribute("1:a1:2"));
    }
}
