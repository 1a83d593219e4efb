package idle.client.cli;

import idle.client.net.UntrustedText;
import idle.shared.model.ComparePart;
import idle.shared.model.JobDetail;
import idle.shared.model.JobSummary;
import idle.shared.model.ReplicaResult;
import idle.shared.model.VoteState;
import java.io.PrintStream;

/**
 * How a verified job's vote reads on a terminal: the waiting note while it runs, and the
 * replicas' results side by side with what differs when no majority agreed. Everything that
 * came from the server (pseudonyms, difference lines quoting output) is cleaned first.
 */
final class VoteTexts {
    private VoteTexts() {
    }

    /** "verified 2/2 ✓", "verified, 2 of 3 agree", "no majority", or "" when not verified. */
    static String badge(JobSummary s) {
        var v = s.verification();
        return switch (v.state()) {
            case NONE -> "";
            case PENDING -> "vote " + v.results() + "/" + v.replicas();
            case VERIFIED -> v.agreeing() == v.results() ? "verified " + v.label()
                    : "verified, " + v.label() + " agree";
            case UNVERIFIED -> "no majority";
        };
    }

    /** The note printed once while a verified job's vote runs. */
    static String waiting(JobSummary s) {
        var v = s.verification();
        return "idle: job " + s.jobId() + " is verified: it runs on " + v.replicas()
                + " lenders of different accounts (comparing " + ComparePart.text(v.compared())
                + "); its output comes once a majority agrees";
    }

    /** Prints each replica's result and how it differs, for a vote without a majority. */
    static void printDifferences(PrintStream err, JobDetail d) {
        JobSummary s = d.summary();
        var v = s.verification();
        if (v.state() == VoteState.NONE || d.replicas().isEmpty()) {
            return;
        }
        err.println("idle: job " + s.jobId() + ": " + (v.state() == VoteState.UNVERIFIED
                ? "no majority among " : v.agreeing() + " of ") + v.results() + " results"
                + " (compared " + ComparePart.text(v.compared()) + "):");
        int i = 1;
        for (ReplicaResult r : d.replicas()) {
            err.println("  " + i++ + ". " + UntrustedText.clean(r.lender()) + "  " + r.outcome()
                    + (r.majority() ? "  (majority)" : "") + "  stdout "
                    + shortSha(r.stdoutSha256()) + "  stderr " + shortSha(r.stderrSha256())
                    + "  " + r.files().size() + " file(s)");
            for (String line : r.differences()) {
                err.println("       " + UntrustedText.clean(line));
            }
        }
    }

    private static String shortSha(String sha) {
        return sha.length() > 8 ? sha.substring(0, 8) : sha.isEmpty() ? "-" : sha;
    }
}
