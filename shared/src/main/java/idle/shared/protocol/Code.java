package idle.shared.protocol;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Every command and status code that may head a frame. The first 21 are the 2019 seed
 * vocabulary, with the seed's meanings; the rest are the codes IDLE added. On the wire a code is
 * three ASCII bytes, right-padded with a space ({@code "OK "}).
 *
 * <p>See {@code docs/PROTOCOL.md} for who sends each code and what its payload holds.
 */
public enum Code {
    // Seed request commands.
    /** Get User ID: the server asks for the user name during login; the client answers with it. */
    GID(Kind.REQUEST),
    /** Get User Password: the server asks for the password during login; the client answers. */
    GPW(Kind.REQUEST),
    /** Get IP, reinterpreted: which lender (by pseudonym, never its address) runs a job. */
    GIP(Kind.REQUEST),
    /** Get Port, reinterpreted: the pool status at the server's point of service. */
    GPT(Kind.REQUEST),
    /** Execute File: the server hands a job (script, inputs, limits) to a lender. */
    EXF(Kind.REQUEST),
    /** Get Output File: a runner asks the server for one output file of a job. */
    GOF(Kind.REQUEST),
    /** Take Output File: the sender announces a file (name, size, SHA-256) it is about to send. */
    TOF(Kind.REQUEST),
    /** Shutdown: the server tells a client it is going down. */
    SDN(Kind.REQUEST),
    // Seed response commands.
    /** Successfully fulfilled the request; carries the request's result. */
    SCF(Kind.RESPONSE),
    /** Failed to fulfil the request; carries a failure kind and a human-readable reason. */
    FLD(Kind.RESPONSE),
    /** A data chunk (or event) was received. */
    OK(Kind.RESPONSE),
    /** End of a file transmission; carries the total size and SHA-256 for the receiver to check. */
    EOF(Kind.RESPONSE),
    /** Shutdown acknowledged by the client. */
    SSD(Kind.RESPONSE),
    /** Logged out. */
    BYE(Kind.RESPONSE),
    /** Illegal request: malformed, out of order, before login or beyond the sender's role. */
    ILR(Kind.RESPONSE),
    /** No available lenders could run the submitted job; carries the reason. */
    NLA(Kind.RESPONSE),
    // Seed function commands.
    /** Login client: opens the GID/GPW handshake (or resumes a session with a token). */
    LCS(Kind.FUNCTION),
    /** Disconnect client: logout. */
    DCN(Kind.FUNCTION),
    /** Make me lender: turns the connection into a lender with the given capabilities. */
    MML(Kind.FUNCTION),
    /** Withdraw from being lender. */
    WBL(Kind.FUNCTION),
    /** Run script: submits one job. */
    RCS(Kind.FUNCTION),
    // Added by IDLE.
    /** Output chunk of a running job (stdout or stderr), lender to server and server to runner. */
    OUT(Kind.ADDED),
    /** Job status event pushed to the runner that owns the job. */
    JST(Kind.ADDED),
    /** A lender reports that a job's process ended, with its outcome and resource use. */
    FIN(Kind.ADDED),
    /** A chunk of an output file following a {@link #TOF}. */
    DAT(Kind.ADDED),
    /** Attach: replay a job's output from the start and follow it live. */
    ATT(Kind.ADDED),
    /** Cancel a job (runner to server) or kill it (server to lender). */
    CAN(Kind.ADDED),
    /** History query: a page of the user's jobs. */
    HST(Kind.ADDED),
    /** Details of one job. */
    JOB(Kind.ADDED),
    /** Heartbeat, answered with {@link #OK} echoing its token. */
    HBT(Kind.ADDED),
    /** A lender's availability changed (its owner needs the machine, or it is idle again). */
    BSY(Kind.ADDED),
    /** An administrative command run by the server for an admin account. */
    ADM(Kind.ADDED),
    /** Sweep: opens a sweep (one script, many tasks); its tasks follow in {@link #SWT}. */
    SWP(Kind.ADDED),
    /** Sweep tasks: a batch of an open sweep's tasks. */
    SWT(Kind.ADDED),
    /** Sweep attach: a sweep's summary, then its tasks' states (and changes, when following). */
    SWA(Kind.ADDED),
    /** Sweep list: a page of the user's sweeps, or of one sweep's tasks. */
    SWL(Kind.ADDED),
    /** Sweep cancel: cancels every task of a sweep that has not ended. */
    SWC(Kind.ADDED),
    /** Sweep retry: a new sweep of the tasks of a sweep that did not succeed. */
    SWR(Kind.ADDED),
    /** Credit: the server tells a lender its account's record and standing (issue 13). */
    CRD(Kind.ADDED);

    /** Where a code comes from in the vocabulary. */
    public enum Kind { REQUEST, RESPONSE, FUNCTION, ADDED }

    private static final Map<Integer, Code> BY_WIRE = new HashMap<>();

    static {
        for (Code c : values()) {
            BY_WIRE.put(pack(c.wire), c);
        }
    }

    private final Kind kind;
    private final byte[] wire;

    Code(Kind kind) {
        this.kind = kind;
        String padded = (name() + "   ").substring(0, 3);
        this.wire = padded.getBytes(StandardCharsets.US_ASCII);
    }

    public Kind kind() {
        return kind;
    }

    /** The three bytes this code occupies at the start of a frame (a copy). */
    public byte[] wireBytes() {
        return wire.clone();
    }

    void writeTo(byte[] dest, int offset) {
        System.arraycopy(wire, 0, dest, offset, 3);
    }

    /** The code whose three wire bytes start at {@code offset}, or null when they name none. */
    public static Code fromWire(byte[] src, int offset) {
        return BY_WIRE.get(pack(new byte[] {src[offset], src[offset + 1], src[offset + 2]}));
    }

    private static int pack(byte[] b) {
        return ((b[0] & 0xff) << 16) | ((b[1] & 0xff) << 8) | (b[2] & 0xff);
    }
}
