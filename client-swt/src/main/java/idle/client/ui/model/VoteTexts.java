package idle.client.ui.model;

import idle.shared.model.ComparePart;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.Verification;
import idle.shared.model.VoteState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a verified job's vote reads in the workbench: table cells, the sentence over its output,
 * the end of its note and of its notification. Pure functions; any thread.
 */
public final class VoteTexts {
    private VoteTexts() {
    }

    /** The Vote column's text: {@code -} is left out (an empty cell reads better in a table). */
    public static String cell(Verification v) {
        return v == null || !v.verified() ? "" : v.label();
    }

    /** The parts as words: "exit code, stdout and files", or "the whole result" for all. */
    public static String parts(Set<ComparePart> parts) {
        if (parts.containsAll(ComparePart.ALL)) {
            return "exit code, stdout, stderr and files";
        }
        List<String> words = new ArrayList<>();
        for (ComparePart p : ComparePart.values()) {
            if (parts.contains(p)) {
                words.add(p == ComparePart.EXIT ? "exit code" : p.name().toLowerCase());
            }
        }
        if (words.size() == 1) {
            return words.get(0);
        }
        return String.join(", ", words.subList(0, words.size() - 1)) + " and " + words.getLast();
    }

    /**
     * One sentence on where the vote stands, for the line over a job's output and tooltips; empty
     * for a job that is not verified.
     */
    public static String sentence(Verification v) {
        if (v == null) {
            return "";
        }
        return switch (v.state()) {
            case NONE -> "";
            case PENDING -> "Waiting for the vote: " + v.results() + " of " + v.replicas()
                    + " results in. The output shows once a majority of the lenders agree.";
            case VERIFIED -> "Verified: " + agree(v) + " on " + parts(v.compared()) + "."
                    + (v.agreeing() < v.results() ? " The dissenting result is below." : "");
            case UNVERIFIED -> "No majority: the " + v.results() + " lenders' results disagree (at"
                    + " most " + v.agreeing() + " agree), so no output is served. See them side by side below.";
        };
    }

    /** "2 of 3 lenders agree", "2 of 2 lenders agree". */
    public static String agree(Verification v) {
        return v.agreeing() + " of " + v.results() + " lenders agree";
    }

    /**
     * How a finished job ended, with its vote: "Finished successfully, verified: 2 of 2 lenders
     * agree", "No majority: 4 results disagree"; as {@link JobTexts#outcome} for a job that is
     * not verified.
     */
    public static String outcome(JobSummary job) {
        Verification v = job.verification();
        if (job.state() == JobState.UNVERIFIED || v.state() == VoteState.UNVERIFIED) {
            // the server's reason says the same at length; the tab shows the results themselves
            return "No majority: " + (v.results() > 0 ? v.results() + " results disagree"
                    : "the lenders' results disagree");
        }
        String outcome = JobTexts.outcome(job);
        return v.state() == VoteState.VERIFIED ? outcome + ", verified: " + agree(v) : outcome;
    }

    /** The note of a job whose vote runs: "Waiting for the vote (1 of 2 results)". */
    public static String waiting(Verification v) {
        return "Waiting for the vote (" + v.results() + " of " + v.replicas() + " results)";
    }

    /** Whether the replicas are worth showing side by side: no majority, or a dissent. */
    public static boolean showReplicas(Verification v) {
        return v.state() == VoteState.UNVERIFIED
                || (v.state() == VoteState.VERIFIED && v.agreeing() < v.results());
    }
}
