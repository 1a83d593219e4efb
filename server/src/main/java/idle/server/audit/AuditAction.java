package idle.server.audit;

import idle.shared.protocol.Code;

/**
 * What an audit row records: a client's request, named by its protocol code, or an event of the
 * server's own. {@link #label()} is the text stored in the row's code column; it never changes for
 * an existing action, so older rows and newer ones read alike. The constants name the actions
 * the server records; {@link #of(Code)} names any other request (a frame not allowed where it
 * came, say).
 */
public sealed interface AuditAction permits AuditAction.Request, AuditAction.Event {
    /** The text stored in the audit row. */
    String label();

    /** The action for a request that arrived with {@code code}. */
    static AuditAction of(Code code) {
        return new Request(code);
    }

    /** A client's request (or a lender's report), by its protocol code. */
    record Request(Code code) implements AuditAction {
        @Override
        public String label() {
            return code.name();
        }
    }

    /** Something that happened without a request of its own. */
    enum Event implements AuditAction {
        /** A connection refused before its session started (limits, TLS). */
        CONNECT,
        /** The 8-byte hello: a wrong version or garbage. */
        HELLO,
        /** A frame that could not be decoded; the connection was closed. */
        MALFORMED("ILR"),
        /** A logged-in connection went silent past the heartbeat timeout. */
        TIMEOUT,
        /** A session's lifetime ended. */
        EXPIRE,
        /** A lender's connection ended. */
        LENDER_LOST,
        /** A lender refused jobs in a row and is given none for a while. */
        LENDER_BENCHED,
        START, STOP, RECOVER,
        USER_ADD, USER_ENABLE, USER_DISABLE, USER_PASSWD,
        /** An admin set a user's default verification. */
        USER_VERIFY,
        /**
         * A verified job's vote was decided: its outcome and its replicas' lender pseudonyms and
         * verdicts (never the runner next to a lender's account).
         */
        VOTE;

        private final String label;

        Event() {
            this.label = name();
        }

        Event(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }
    }

    AuditAction LCS = of(Code.LCS);
    AuditAction DCN = of(Code.DCN);
    AuditAction MML = of(Code.MML);
    AuditAction WBL = of(Code.WBL);
    AuditAction RCS = of(Code.RCS);
    AuditAction GIP = of(Code.GIP);
    AuditAction GPT = of(Code.GPT);
    AuditAction GOF = of(Code.GOF);
    AuditAction ATT = of(Code.ATT);
    AuditAction CAN = of(Code.CAN);
    AuditAction HST = of(Code.HST);
    AuditAction JOB = of(Code.JOB);
    AuditAction BSY = of(Code.BSY);
    AuditAction ADM = of(Code.ADM);
    AuditAction FIN = of(Code.FIN);

    AuditAction CONNECT = Event.CONNECT;
    AuditAction HELLO = Event.HELLO;
    AuditAction MALFORMED = Event.MALFORMED;
    AuditAction TIMEOUT = Event.TIMEOUT;
    AuditAction EXPIRE = Event.EXPIRE;
    AuditAction LENDER_LOST = Event.LENDER_LOST;
    AuditAction LENDER_BENCHED = Event.LENDER_BENCHED;
    AuditAction START = Event.START;
    AuditAction STOP = Event.STOP;
    AuditAction RECOVER = Event.RECOVER;
    AuditAction USER_ADD = Event.USER_ADD;
    AuditAction USER_ENABLE = Event.USER_ENABLE;
    AuditAction USER_DISABLE = Event.USER_DISABLE;
    AuditAction USER_PASSWD = Event.USER_PASSWD;
    AuditAction USER_VERIFY = Event.USER_VERIFY;
    AuditAction VOTE = Event.VOTE;
}
