package idle.shared.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Enums travel as their ordinal (docs/PROTOCOL.md, "Enum ordinals"). Reordering or inserting a
 * constant silently changes the wire; this test makes it loud. Append only, with a new version.
 */
class WireOrdinalsTest {
    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    @Test
    void jobState() {
        assertEquals(List.of("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED",
                "LIMIT_EXCEEDED", "LOST", "UNVERIFIED"), names(JobState.values()));
    }

    @Test
    void voteStateAndCompareParts() {
        assertEquals(List.of("NONE", "PENDING", "VERIFIED", "UNVERIFIED"),
                names(VoteState.values()));
        assertEquals(List.of("EXIT", "STDOUT", "STDERR", "FILES"), names(ComparePart.values()));
    }

    @Test
    void failureKind() {
        assertEquals(List.of("BAD_CREDENTIALS", "ACCOUNT_DISABLED", "LIMIT", "NOT_FOUND",
                "CHECKSUM", "INVALID", "THROTTLED", "EXISTS", "WRONG_STATE", "INTERNAL", "BUSY"),
                names(FailureKind.values()));
    }

    @Test
    void limit() {
        assertEquals(List.of("CPU_TIME", "MEMORY", "WALL_CLOCK", "OUTPUT", "FILE_SIZE",
                "PROCESSES"), names(Limit.values()));
    }

    @Test
    void streamKindAndWaitPolicy() {
        assertEquals(List.of("STDOUT", "STDERR"), names(StreamKind.values()));
        assertEquals(List.of("QUEUE", "NLA_IF_BUSY"), names(WaitPolicy.values()));
    }

    @Test
    void lenderStanding() {
        assertEquals(List.of("NEW", "TRUSTED", "REPLICAS_ONLY", "SUSPENDED"),
                names(LenderStanding.values()));
    }

    @Test
    void terminalStates() {
        for (JobState s : JobState.values()) {
            assertEquals(s != JobState.QUEUED && s != JobState.RUNNING, s.isTerminal(), s.name());
        }
    }

    @Test
    void outcomesLeadToTheirStates() {
        assertEquals(JobState.SUCCEEDED, new JobOutcome.Succeeded().state());
        assertEquals(JobState.FAILED, new JobOutcome.Failed(1).state());
        assertEquals(JobState.CANCELLED, new JobOutcome.Cancelled().state());
        assertEquals(JobState.LIMIT_EXCEEDED,
                new JobOutcome.LimitExceeded(Limit.MEMORY, "").state());
        assertEquals(JobState.FAILED, new JobOutcome.Error("x").state());
    }
}
