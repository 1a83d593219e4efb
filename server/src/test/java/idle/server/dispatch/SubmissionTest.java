package idle.server.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.model.FailureKind;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Limits;
import idle.shared.protocol.Sha256;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The door's rules for an RCS, at their edges, with the server's default limits. */
class SubmissionTest {
    final Submission rules = new Submission(1 << 20, 3 << 20);

    /** An RCS with a 1 MiB script and one input, {@code payload} bytes on the wire. */
    static Message.RunScript rcsOf(int payload) {
        byte[] script = new byte[1 << 20];
        Message.RunScript probe = rcs(script, new byte[3 << 20]);
        int over = Codec.payload(probe).length - payload;
        return rcs(script, new byte[(3 << 20) - over]);
    }

    static Message.RunScript rcs(byte[] script, byte[] input) {
        return new Message.RunScript("big.py", script, Sha256.hex(script), List.of(),
                List.of(new InputFile("in.bin", input, Sha256.hex(input))), JobNeeds.NONE,
                WaitPolicy.QUEUE);
    }

    @Test
    void theExfIsSizedByTheCodecElevenBytesAboveTheRcsForAJobOfItsOwn() {
        Message.RunScript rs = rcsOf(Limits.MAX_PAYLOAD - 1000);
        assertEquals(Codec.payload(rs).length + 8 + 4 - 1 + 1 + 1 - 2,
                Submission.executeBytes(rs), "job id, attempt, environment and an absent task "
                        + "position in; wait policy, verify and compare out");
    }

    @Test
    void anRcsWhoseExfWouldNotFitInAFrameIsRefusedNamingTheLimit() {
        Message.RunScript atLimit = rcsOf(Limits.MAX_PAYLOAD);
        Submission.Refusal r = rules.check(atLimit);
        assertEquals(FailureKind.LIMIT, r.kind());
        assertTrue(r.reason().contains("4 MiB") && r.reason().contains(
                String.valueOf(Limits.MAX_PAYLOAD + 11)), r.reason());

        Message.RunScript justFits = rcsOf(Limits.MAX_PAYLOAD - 11);
        assertEquals(Limits.MAX_PAYLOAD, Submission.executeBytes(justFits));
        assertNull(rules.check(justFits), "an EXF of exactly the limit is sent");
    }

    @Test
    void sizesNamesAndArgumentsAreCheckedBeforeAnythingIsStored() {
        byte[] tiny = {'x'};
        Message.RunScript bigScript = new Message.RunScript("a.py", new byte[(1 << 20) + 1],
                "0".repeat(64), List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE);
        assertEquals(FailureKind.LIMIT, rules.check(bigScript).kind());
        Message.RunScript badName = new Message.RunScript("../a.py", tiny, Sha256.hex(tiny),
                List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE);
        assertEquals(FailureKind.INVALID, rules.check(badName).kind());
        Message.RunScript manyArgs = new Message.RunScript("a.py", tiny, Sha256.hex(tiny),
                java.util.Collections.nCopies(Submission.MAX_ARGS + 1, "a"), List.of(),
                JobNeeds.NONE, WaitPolicy.QUEUE);
        assertEquals(FailureKind.LIMIT, rules.check(manyArgs).kind());
    }
}
