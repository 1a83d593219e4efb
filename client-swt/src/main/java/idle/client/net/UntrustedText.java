package idle.client.net;

import idle.shared.model.JobDetail;
import idle.shared.model.JobSummary;

/**
 * Makes text that came over the network safe to print on a terminal or show in a window: every
 * C0 control character except newline and tab, DEL, every C1 control character, and the Unicode
 * bidirectional overrides and isolates (which make text read differently from what it says) are
 * replaced by {@link #PLACEHOLDER}. Such text can come from another user: a job's failure reason
 * is written by the lender that ran it, and a hostile lender could otherwise send escape sequences
 * that retitle the runner's terminal, clear it, or fake lines of output.
 *
 * <p>Used for everything the server relays for a person to read (failure, NLA and FLD reasons,
 * script and file names, pseudonyms, the server's shutdown notice). Not for a job's own stdout and
 * stderr: that is the runner's own script's output and is written as it is (see
 * {@code RunCommand}). Stateless; any thread.
 */
public final class UntrustedText {
    /** What a control character is shown as: U+FFFD, the replacement character. */
    public static final char PLACEHOLDER = '\uFFFD';

    private UntrustedText() {
    }

    /** {@code s} with unsafe characters replaced (see the class comment); null stays null. */
    public static String clean(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !unsafe(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s; // the usual case: nothing to copy
        }
        StringBuilder sb = new StringBuilder(s.length()).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(unsafe(c) ? PLACEHOLDER : c);
        }
        return sb.toString();
    }

    /**
     * {@code s} with its texts for a person cleaned: script name, reason, lender pseudonym. The
     * same object when nothing needed replacing.
     */
    public static JobSummary clean(JobSummary s) {
        String name = clean(s.scriptName());
        String reason = clean(s.reason());
        String lender = clean(s.lender());
        if (name == s.scriptName() && reason == s.reason() && lender == s.lender()) {
            return s;
        }
        return new JobSummary(s.jobId(), name, s.state(), s.exitCode(), s.limit(), reason, lender,
                s.attempts(), s.submittedAt(), s.startedAt(), s.finishedAt(), s.outputBytes(),
                s.sweepId(), s.taskIndex(), s.verification());
    }

    /**
     * {@code d} with its summary cleaned. File names stay exact, since they name the files to
     * fetch: clean them where they are shown.
     */
    public static JobDetail clean(JobDetail d) {
        JobSummary s = clean(d.summary());
        return s == d.summary() ? d : new JobDetail(s, d.scriptSha256(), d.args(), d.inputNames(),
                d.files(), d.cpuMillis(), d.outputSha256(), d.replicas());
    }

    /** True for a character {@link #clean} replaces. */
    public static boolean unsafe(char c) {
        if (c < 0x20) {
            return c != '\n' && c != '\t';
        }
        return c == 0x7f || (c >= 0x80 && c < 0xa0)
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
