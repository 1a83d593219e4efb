package idle.client.runner;

import idle.client.net.MessageEncoder;
import idle.client.net.RequestTooLargeException;
import idle.client.net.Sizes;
import idle.shared.protocol.Limits;
import java.nio.charset.StandardCharsets;

/**
 * Checks, before anything is sent, that a job fits in one {@code RCS} request: the script, its
 * arguments and its input files together within {@link Limits#MAX_PAYLOAD} (4 MiB), each argument
 * within {@link Limits#MAX_STRING} bytes. These are the only limits the client knows for sure; the
 * server may set lower ones of its own (by default 1 MiB of script and 3 MiB of input files) and
 * refuses a job over them with {@code FLD{LIMIT}}. Stateless; any thread.
 */
public final class SubmissionSize {
    /** The server's default limits, named in messages as what a server usually accepts. */
    static final String SERVER_DEFAULTS = "by default 1 MiB of script and 3 MiB of input files";

    private SubmissionSize() {
    }

    /**
     * Returns normally when {@code r} can be sent as one request.
     *
     * @throws RequestTooLargeException with a one-line message naming the script, its size, the
     *     limit and what to do
     */
    public static void check(JobRequest r) throws RequestTooLargeException {
        for (int i = 0; i < r.args().size(); i++) {
            int n = r.args().get(i).getBytes(StandardCharsets.UTF_8).length;
            if (n > Limits.MAX_STRING) {
                throw new RequestTooLargeException(r.scriptName() + ": argument " + (i + 1) + " is "
                        + Sizes.describe(n) + "; an argument may have at most " + Limits.MAX_STRING
                        + " bytes. Put large data in an input file instead.", n, Limits.MAX_STRING);
            }
        }
        byte[] payload;
        try {
            payload = MessageEncoder.payload(r.toMessage());
        } catch (RequestTooLargeException e) {
            throw new RequestTooLargeException(r.scriptName() + ": " + e.getMessage(), e.size(),
                    e.limit());
        }
        if (payload.length > Limits.MAX_PAYLOAD) {
            throw new RequestTooLargeException(r.scriptName() + ": the job is "
                    + Sizes.describe(payload.length) + " to send (script "
                    + Sizes.describe(r.script().length) + ", input files "
                    + Sizes.describe(r.inputBytes()) + "); the largest request IDLE can send is "
                    + Sizes.describe(Limits.MAX_PAYLOAD) + " (script, arguments and input files "
                    + "together), and the server's own limits may be lower (" + SERVER_DEFAULTS
                    + "). Send smaller input files, or split the data across several jobs.",
                    payload.length, Limits.MAX_PAYLOAD);
        }
    }
}
