package idle.shared.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import idle.shared.model.JobOutcome;
import idle.shared.model.ResourceUse;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameDecoder;
import idle.shared.protocol.Limits;
import idle.shared.protocol.ProtocolException;
import idle.shared.protocol.Sha256;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** encode -> Frame.toBytes -> FrameDecoder -> Codec.decode gives back an equal message. */
class CodecRoundTripTest {
    private static final int[] IDS = {1, -1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE};

    /** Runs the whole path and returns the decoded message; asserts the frame survives intact. */
    static Message roundTrip(int requestId, Message m) throws ProtocolException {
        Frame sent = Codec.encode(requestId, m);
        assertEquals(m.code(), sent.code());
        byte[] wire = sent.toBytes();
        assertEquals(Limits.HEADER_BYTES + sent.payload().length, wire.length);
        List<Frame> got = new FrameDecoder().feed(wire, 0, wire.length);
        assertEquals(1, got.size(), "one frame expected for " + m);
        Frame received = got.get(0);
        assertEquals(sent, received);
        assertEquals(requestId, received.requestId());
        Message back = Codec.decode(received);
        // Encoding is canonical: the decoded message encodes to the same bytes.
        assertArrayEquals(wire, Codec.encode(requestId, back).toBytes(), "re-encoding " + m);
        return back;
    }

    static Stream<Message> everything() {
        return SampleMessages.everything().stream();
    }

    @ParameterizedTest
    @MethodSource("everything")
    void everyMessageSurvivesTheWire(Message m) throws ProtocolException {
        for (int id : IDS) {
            Message back = roundTrip(id, m);
            assertEquals(m, back);
            assertEquals(m.hashCode(), back.hashCode());
            assertEquals(m.code(), back.code());
        }
    }

    @Test
    void samplesCoverEveryCodeOnceInCodeOrder() {
        List<Code> codes = SampleMessages.all().stream().map(Message::code).toList();
        assertEquals(List.of(Code.values()), codes);
        assertEquals(39, codes.size());
        // ... and each Message record type is used by exactly one code.
        Set<Class<?>> types = SampleMessages.all().stream().map(Object::getClass)
                .collect(Collectors.toSet());
        assertEquals(39, types.size());
        assertEquals(Message.class.getPermittedSubclasses().length, types.size());
    }

    @Test
    void samplesCoverEveryResultAndOutcomeVariant() {
        assertEquals(Set.of(Result.class.getPermittedSubclasses()),
                SampleMessages.results().stream().map(Object::getClass).collect(Collectors.toSet()));
        assertEquals(Set.of(JobOutcome.class.getPermittedSubclasses()),
                SampleMessages.outcomes().stream().map(Object::getClass)
                        .collect(Collectors.toSet()));
    }

    @Test
    void everyResultVariantSurvivesInAnScf() throws ProtocolException {
        for (Result r : SampleMessages.results()) {
            Message back = roundTrip(5, new Message.Success(r));
            assertEquals(r, ((Message.Success) back).result());
        }
    }

    @Test
    void everyOutcomeSurvivesInAFin() throws ProtocolException {
        for (JobOutcome o : SampleMessages.outcomes()) {
            Message.Finished f = new Message.Finished(3, 1, o, new ResourceUse(1, 2, 3, 4));
            Message.Finished back = (Message.Finished) roundTrip(-9, f);
            assertEquals(o, back.outcome());
            assertEquals(o.state(), back.outcome().state());
            assertEquals(new ResourceUse(1, 2, 3, 4), back.use());
        }
    }

    @Test
    void bytesAndStringsAreComparedByContent() throws ProtocolException {
        byte[] data = SampleMessages.binary(256);
        Message.Output a = new Message.Output(1, 2, idle.shared.model.StreamKind.STDOUT, data);
        Message.Output b = (Message.Output) roundTrip(1, a);
        assertArrayEquals(data, b.data());
        data[0] ^= 1; // a different array with different content is a different message
        assertNotEquals(b, new Message.Output(1, 2, idle.shared.model.StreamKind.STDOUT, data));
    }

    @Test
    void longestStringAndLongTextSurvive() throws ProtocolException {
        String longest = "é".repeat(Limits.MAX_STRING / 2) + "x"; // 65,535 UTF-8 bytes
        assertEquals(Limits.MAX_STRING, longest.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                .length);
        assertEquals(new Message.Illegal(longest), roundTrip(0, new Message.Illegal(longest)));
        String text = "línea 😀\n".repeat(20_000); // far beyond 64 KiB: a Text is i32-length
        Message.Success s = new Message.Success(new Result.Text(text));
        assertEquals(s, roundTrip(7, s));
    }

    @Test
    void aStringOverTheLimitIsRefusedWhenEncoding() {
        String tooLong = "x".repeat(Limits.MAX_STRING + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Codec.encode(1, new Message.Illegal(tooLong)));
        assertEquals("string of 65536 bytes is too long", e.getMessage());
    }

    @Test
    void theLongestListSurvivesAndALongerOneIsRefused() throws ProtocolException {
        List<String> argv = new ArrayList<>(Collections.nCopies(Limits.MAX_LIST, "a"));
        Message.Admin max = new Message.Admin(argv);
        assertEquals(max, roundTrip(3, max));
        argv.add("b");
        assertThrows(IllegalArgumentException.class, () -> Codec.encode(3, new Message.Admin(argv)));
    }

    @Test
    void aPayloadOverTheFrameLimitIsRefusedWhenEncoding() {
        byte[] big = new byte[Limits.MAX_PAYLOAD];
        assertThrows(IllegalArgumentException.class, () -> Codec.encode(1,
                new Message.FileData(1, 0, big)));
        // The largest data a DAT can carry still fits.
        byte[] fits = new byte[Limits.MAX_PAYLOAD - 8 - 8 - 4];
        assertEquals(Limits.MAX_PAYLOAD, Codec.encode(1, new Message.FileData(1, 0, fits))
                .payload().length);
    }

    @Test
    void emptyPayloadCodesHaveEmptyPayloads() {
        Set<Code> empty = EnumSet.noneOf(Code.class);
        for (Message m : SampleMessages.all()) {
            if (Codec.payload(m).length == 0) {
                empty.add(m.code());
            }
        }
        assertEquals(EnumSet.of(Code.GPT, Code.SSD, Code.BYE, Code.DCN), empty);
    }

    @Test
    void aPasswordNeverShowsInLogsButSurvivesTheWire() throws ProtocolException {
        Message.Password p = new Message.Password("hunter2 ✓");
        assertEquals("Password[***]", p.toString());
        assertEquals("Password[***]", roundTrip(1, p).toString());
        assertEquals("hunter2 ✓", ((Message.Password) roundTrip(1, p)).password());
    }
}
