package idle.shared.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.ProtocolException;
import idle.shared.protocol.Sha256;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * One case per malformed payload: each must end in a {@link ProtocolException} whose message
 * says what was wrong, and never in any other exception.
 */
class CodecMalformedTest {
    private static final byte[] SCRIPT = SampleMessages.script("print('x')\n");
    private static final String SCRIPT_SHA = Sha256.hex(SCRIPT);
    private static final String OTHER_SHA = Sha256.hex(new byte[] {1});

    /** Decoding {@code payload} under {@code code} fails; the message contains {@code expected}. */
    private static ProtocolException bad(Code code, byte[] payload, String expected) {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> Codec.decode(new Frame(code, 1, payload)),
                () -> code + " " + hex(payload) + " should be rejected");
        assertTrue(e.getMessage().contains(expected),
                () -> "message \"" + e.getMessage() + "\" should contain \"" + expected + "\"");
        return e;
    }

    private static ProtocolException bad(Message m, String expected) {
        return bad(m.code(), Codec.payload(m), expected);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", b[i] & 0xff));
        }
        return sb.append(b.length > 64 ? "..." : "").toString();
    }

    private static PayloadWriter w() {
        return new PayloadWriter();
    }

    // ---- lengths ----------------------------------------------------------------------------

    @Test
    void payloadShorterThanItsFields() {
        bad(Code.OK, bytes(0, 0, 0, 0, 0, 0, 1), "truncated payload: int needs 4 bytes, 3 left");
    }

    @Test
    void payloadLongerThanItsFields() {
        bad(Code.OK, bytes(0, 0, 0, 0, 0, 0, 0, 1, 9), "1 unexpected bytes after payload");
        bad(Code.SSD, bytes(0), "1 unexpected bytes after payload");
        byte[] longer = Arrays.copyOf(Codec.payload(SampleMessages.forCode(Code.EXF)),
                Codec.payload(SampleMessages.forCode(Code.EXF)).length + 3);
        bad(Code.EXF, longer, "3 unexpected bytes after payload");
    }

    @Test
    void emptyPayloadWhereFieldsAreNeeded() {
        bad(Code.GID, new byte[0], "truncated payload: 16-bit length needs 2 bytes, 0 left");
        bad(Code.SCF, new byte[0], "truncated payload: byte needs 1 bytes, 0 left");
    }

    @Test
    void everyStrictPrefixOfEveryValidPayloadIsRejected() {
        for (Message m : SampleMessages.everything()) {
            byte[] p = Codec.payload(m);
            for (int n = 0; n < p.length; n++) {
                byte[] prefix = Arrays.copyOf(p, n);
                ProtocolException e = assertThrows(ProtocolException.class,
                        () -> Codec.decode(new Frame(m.code(), 1, prefix)),
                        () -> m + " cut to " + prefix.length + " bytes");
                assertTrue(e.getMessage().startsWith("truncated payload"),
                        () -> m + " cut to " + prefix.length + ": " + e.getMessage());
            }
            byte[] longer = Arrays.copyOf(p, p.length + 1);
            bad(m.code(), longer, "1 unexpected bytes after payload");
        }
    }

    @Test
    void stringLengthBeyondThePayload() {
        bad(Code.GID, bytes(0, 5, 'a', 'b'), "truncated payload: string needs 5 bytes, 2 left");
    }

    @Test
    void negativeByteBlockLength() {
        byte[] p = w().i64(7).i64(0).enumVal(StreamKind.STDOUT).i32(-1).toBytes();
        bad(Code.OUT, p, "negative byte block length -1");
    }

    @Test
    void byteBlockLongerThanThePayload() {
        byte[] p = w().i64(7).i64(0).enumVal(StreamKind.STDOUT).i32(Integer.MAX_VALUE).u8(1)
                .toBytes();
        bad(Code.OUT, p, "truncated payload: byte block needs 2147483647 bytes, 1 left");
    }

    @Test
    void negativeTextLength() {
        bad(Code.SCF, w().u8(5).i32(-5).toBytes(), "negative text length: -5");
    }

    @Test
    void listCountLargerThanTheRemainingBytes() {
        bad(Code.ADM, bytes(0, 5), "truncated payload: list of 5 with 0 bytes left");
        // three strings announced, room for the count check but not for the third string
        bad(Code.ADM, bytes(0, 3, 0, 0, 0, 0), "truncated payload: 16-bit length needs 2");
    }

    @Test
    void listCountOverTheListLimit() {
        byte[] p = new byte[2 + 2 * 0xffff];
        p[0] = (byte) 0xff;
        p[1] = (byte) 0xff;
        bad(Code.ADM, p, "list of 65535 exceeds 10000");
    }

    // ---- UTF-8 ------------------------------------------------------------------------------

    @Test
    void overlongUtf8() {
        bad(Code.GID, bytes(0, 2, 0xc0, 0xaf), "string is not valid UTF-8"); // '/' in 2 bytes
        bad(Code.GID, bytes(0, 2, 0xc0, 0x80), "string is not valid UTF-8"); // modified-UTF-8 NUL
        bad(Code.GID, bytes(0, 3, 0xe0, 0x80, 0xaf), "string is not valid UTF-8");
    }

    @Test
    void loneSurrogateInUtf8() {
        bad(Code.GPW, bytes(0, 3, 0xed, 0xa0, 0x80), "string is not valid UTF-8"); // U+D800
        bad(Code.GPW, bytes(0, 3, 0xed, 0xbf, 0xbf), "string is not valid UTF-8"); // U+DFFF
    }

    @Test
    void truncatedUtf8Sequence() {
        bad(Code.ILR, bytes(0, 2, 0xe2, 0x82), "string is not valid UTF-8"); // 2 of 3 bytes of €
        bad(Code.ILR, bytes(0, 4, 0xf0, 0x9f, 0x98, 'A'), "string is not valid UTF-8");
        bad(Code.ILR, bytes(0, 1, 0x80), "string is not valid UTF-8"); // lone continuation
    }

    @Test
    void bytesThatAreNeverUtf8() {
        bad(Code.NLA, bytes(0, 1, 0xff), "string is not valid UTF-8");
        bad(Code.NLA, bytes(0, 4, 0xf4, 0x90, 0x80, 0x80), "string is not valid UTF-8"); // >10FFFF
    }

    @Test
    void badUtf8DeepInsideAMessage() {
        byte[] ok = Codec.payload(new Message.Admin(List.of("user", "ab")));
        byte[] p = ok.clone();
        p[p.length - 1] = (byte) 0xc3; // "a" + start of a 2-byte sequence, nothing after
        bad(Code.ADM, p, "string is not valid UTF-8");
        bad(Code.SCF, w().u8(5).i32(2).u8(0xed).u8(0xa0).toBytes(), "string is not valid UTF-8");
    }

    // ---- checksums --------------------------------------------------------------------------

    @Test
    void scriptShaMismatchInRcs() {
        bad(new Message.RunScript("a.py", SCRIPT, OTHER_SHA, List.of(), List.of(), JobNeeds.NONE,
                WaitPolicy.QUEUE), "script SHA-256 mismatch");
    }

    @Test
    void scriptShaInUpperCaseIsAMismatchToo() {
        bad(new Message.RunScript("a.py", SCRIPT, SCRIPT_SHA.toUpperCase(Locale.ROOT), List.of(),
                List.of(), JobNeeds.NONE, WaitPolicy.QUEUE), "script SHA-256 mismatch");
    }

    @Test
    void scriptShaMismatchInExf() {
        bad(new Message.Execute(1, 1, "a.py", SCRIPT, "", List.of(), List.of(), JobNeeds.NONE),
                "script SHA-256 mismatch");
        byte[] tampered = SCRIPT.clone();
        tampered[0] ^= 0x20;
        bad(new Message.Execute(1, 1, "a.py", tampered, SCRIPT_SHA, List.of(), List.of(),
                JobNeeds.NONE), "script SHA-256 mismatch");
    }

    @Test
    void inputFileShaMismatch() {
        InputFile wrong = new InputFile("data.csv", new byte[] {1, 2}, OTHER_SHA);
        bad(new Message.RunScript("a.py", SCRIPT, SCRIPT_SHA, List.of(),
                List.of(SampleMessages.input("ok.bin", new byte[0]), wrong), JobNeeds.NONE,
                WaitPolicy.QUEUE), "input file data.csv SHA-256 mismatch");
        bad(new Message.Execute(1, 1, "a.py", SCRIPT, SCRIPT_SHA, List.of(), List.of(wrong),
                JobNeeds.NONE), "input file data.csv SHA-256 mismatch");
    }

    @Test
    void nonHexDigestInTof() {
        String upper = Sha256.hex(SCRIPT).toUpperCase(Locale.ROOT);
        bad(new Message.TakeOutputFile(1, "f", 1, upper), "not a SHA-256 hex digest");
        bad(new Message.TakeOutputFile(1, "f", 1, "g".repeat(64)), "not a SHA-256 hex digest");
        bad(new Message.TakeOutputFile(1, "f", 1, SCRIPT_SHA.substring(1)),
                "not a SHA-256 hex digest");
    }

    @Test
    void nonHexDigestInEof() {
        bad(new Message.EndOfFile(1, "f", 0, ""), "not a SHA-256 hex digest");
        bad(new Message.EndOfFile(1, "f", 0, SCRIPT_SHA + "0"), "not a SHA-256 hex digest");
    }

    // ---- enums, booleans, tags ----------------------------------------------------------------

    @Test
    void badFailureKindOrdinal() {
        int past = FailureKind.values().length;
        bad(Code.FLD, w().u8(past).str("x").toBytes(), "unknown failure kind " + past);
    }

    @Test
    void badStreamOrdinal() {
        bad(Code.OUT, w().i64(1).i64(0).u8(2).bytes(new byte[0]).toBytes(), "unknown stream 2");
    }

    @Test
    void badWaitPolicyOrdinal() {
        byte[] p = Codec.payload(new Message.RunScript("a.py", SCRIPT, SCRIPT_SHA, List.of(),
                List.of(), JobNeeds.NONE, WaitPolicy.QUEUE));
        p[p.length - 3] = (byte) 0xff; // then verify, compare
        bad(Code.RCS, p, "unknown wait policy 255");
    }

    @Test
    void unknownCompareBits() {
        byte[] p = Codec.payload(new Message.RunScript("a.py", SCRIPT, SCRIPT_SHA, List.of(),
                List.of(), JobNeeds.NONE, WaitPolicy.QUEUE));
        p[p.length - 1] = (byte) 0x10;
        bad(Code.RCS, p, "unknown compare bits 10000 (known: exit=1, stdout=2, stderr=4, files=8)");
    }

    @Test
    void impossibleVote() {
        byte[] s = Codec.payload(new Message.JobEvent(new JobSummary(1, "a.py", JobState.QUEUED,
                null, null, "", "", 0, 1, 0, 0, 0)));
        // verification: replicas, state, agreeing, results, compared
        s[s.length - 5] = 9;
        bad(Code.JST, s, "bad vote: 0 of 0 results, 9 replicas asked");
        s[s.length - 5] = 2;
        s[s.length - 4] = 4;
        bad(Code.JST, s, "unknown vote state 4");
        s[s.length - 4] = 1;
        s[s.length - 3] = 2;
        s[s.length - 2] = 1;
        bad(Code.JST, s, "bad vote: 2 of 1 results, 2 replicas asked");
    }

    @Test
    void badJobStateOrdinal() {
        bad(Code.JST, w().i64(1).str("a.py").u8(8).toBytes(), "unknown job state 8");
        bad(Code.SCF, w().u8(2).i64(1).u8(200).str("").toBytes(), "unknown job state 200");
        bad(Code.HST, w().u8(1).u8(8).toBytes(), "unknown job state 8");
    }

    @Test
    void badLimitOrdinal() {
        bad(Code.JST, w().i64(1).str("a.py").enumVal(JobState.LIMIT_EXCEEDED).u8(0).u8(1).u8(6)
                .toBytes(), "unknown limit 6");
        bad(Code.FIN, w().i64(1).i32(1).u8(3).u8(6).str("").toBytes(), "unknown limit 6");
    }

    @Test
    void booleanByteTwo() {
        bad(Code.WBL, bytes(2), "boolean byte is 2");
        bad(Code.ATT, w().i64(1).i64(0).u8(0xff).toBytes(), "boolean byte is 255");
        bad(Code.BSY, w().u8(2).str("").toBytes(), "boolean byte is 2");
    }

    @Test
    void presenceByteTwo() {
        bad(Code.LCS, w().str("cli").u8(2).toBytes(), "boolean byte is 2");
        bad(Code.HST, w().u8(2).toBytes(), "boolean byte is 2");
        bad(Code.JST, w().i64(1).str("a.py").enumVal(JobState.FAILED).u8(2).toBytes(),
                "boolean byte is 2");
    }

    @Test
    void unknownResultTag() {
        bad(Code.SCF, bytes(9), "unknown result tag 9");
        bad(Code.SCF, bytes(0xff), "unknown result tag 255");
    }

    @Test
    void unknownOutcomeTag() {
        bad(Code.FIN, w().i64(1).i32(1).u8(5).toBytes(), "unknown outcome tag 5");
    }

    // ---- values out of range ----------------------------------------------------------------

    @Test
    void historyLimitOutOfRange() {
        bad(new Message.History(null, null, 0, 0), "history limit 0 outside 1..10000");
        bad(new Message.History(null, null, 0, -1), "history limit -1 outside 1..10000");
        bad(new Message.History(JobState.QUEUED, "x", 5, 10_001),
                "history limit 10001 outside 1..10000");
    }

    @Test
    void negativeSizesAndSequenceNumbers() {
        String sha = Sha256.hex(new byte[0]);
        bad(new Message.TakeOutputFile(1, "f", -1, sha), "negative value -1");
        bad(new Message.EndOfFile(1, "f", Long.MIN_VALUE, sha), "negative value");
        bad(new Message.Output(1, -1, StreamKind.STDOUT, new byte[0]), "negative value -1");
        bad(new Message.FileData(1, -2, new byte[0]), "negative value -2");
        bad(new Message.Attach(1, -3, true), "negative value -3");
        bad(new Message.History(null, null, -4, 1), "negative value -4");
        byte[] detail = Codec.payload(new Message.Success(new Result.Detail(
                new idle.shared.model.JobDetail(SampleMessages.queuedSummary(), "", List.of(),
                        List.of(), List.of(new OutputFileInfo("f", -5, "")), 0, ""))));
        bad(Code.SCF, detail, "negative value -5");
        bad(Code.CRD, w().enumVal(idle.shared.model.LenderStanding.NEW).i64(1).i64(1).i64(-6)
                .i64(0).i64(0).i64(0).i64(0).toBytes(), "negative value -6");
        bad(Code.CRD, w().u8(9).toBytes(), "unknown lender standing 9");
    }

    @Test
    void valuesTheRecordsThemselvesRefuse() {
        byte[] mml = w().str("3.11").i32(1).i64(1).i32(0).i32(0).i32(0).i32(0).i32(0).str("")
                .bool(false).u8(0).u8(1).str("3.11").u8(0).u8(0).u8(0).u8(0).toBytes();
        bad(Code.MML, mml, "invalid MML payload: maxJobs must be at least 1");
        byte[] rcs = w().str("a.py").bytes(SCRIPT).str(SCRIPT_SHA).strs(List.of())
                .list(List.<InputFile>of(), (x, y) -> { }).str("").i32(-1).i32(0).u8(0).u8(0)
                .enumVal(WaitPolicy.QUEUE).toBytes();
        bad(Code.RCS, rcs, "invalid RCS payload: needs must not be negative");
    }

    // ---- nothing but ProtocolException ------------------------------------------------------

    @Test
    void anEmptyPayloadIsEitherValidOrAProtocolError() {
        EnumSet<Code> valid = EnumSet.noneOf(Code.class);
        for (Code c : Code.values()) {
            try {
                Message m = Codec.decode(new Frame(c, 0, new byte[0]));
                assertEquals(c, m.code());
                valid.add(c);
            } catch (ProtocolException e) {
                assertTrue(e.getMessage().startsWith("truncated payload"), c + ": " + e.getMessage());
            } catch (RuntimeException e) {
                fail(c + " with an empty payload threw " + e, e);
            }
        }
        assertEquals(EnumSet.of(Code.GPT, Code.SSD, Code.BYE, Code.DCN), valid);
    }

    @Test
    void finWithEveryFieldButTheLastIsTruncated() {
        byte[] p = Codec.payload(new Message.Finished(1, 1, new idle.shared.model.JobOutcome
                .Succeeded(), ResourceUse.NONE));
        bad(Code.FIN, Arrays.copyOf(p, p.length - 1), "truncated payload: int needs 4 bytes, 3 left");
    }

    @Test
    void sweepsOutsideTheirRules() {
        byte[] script = "pass".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sha = idle.shared.protocol.Sha256.hex(script);
        // a sweep of no tasks, or of a negative number of them
        for (int count : new int[] {0, -1}) {
            byte[] swp = w().str("a.py").bytes(script).str(sha)
                    .list(List.<InputFile>of(), (x, y) -> { }).str("").i32(0).i32(0).u8(0).u8(0)
                    .enumVal(idle.shared.model.WaitPolicy.QUEUE).i32(count).toBytes();
            bad(Code.SWP, swp, "a sweep needs at least one task");
        }
        // a task with a negative index
        byte[] swt = w().i64(1).u8(0).u8(1).i32(-3).u8(0).u8(0).u8(0).u8(0).bool(true).toBytes();
        bad(Code.SWT, swt, "negative task index -3");
        // list limits and negative ids
        bad(Code.SWL, w().i64(0).i64(0).i32(0).toBytes(), "list limit 0 outside 1..10000");
        bad(Code.SWL, w().i64(0).i64(0).i32(10_001).toBytes(), "list limit 10001 outside");
        bad(Code.SWL, w().i64(-1).i64(0).i32(5).toBytes(), "negative value -1");
        // a task position past the count
        byte[] exf = w().i64(1).i32(1).str("a.py").bytes(script).str(sha).u8(0).u8(0).u8(0).u8(0)
                .str("").i32(0).i32(0).u8(0).u8(0).u8(0).u8(1).i32(5).i32(5).toBytes();
        bad(Code.EXF, exf, "task 5 of 5");
    }
}
