package idle.server.net;

import idle.server.audit.AuditAction;
import idle.server.peer.Peer;
import idle.shared.message.Message;
import idle.shared.protocol.Code;

/**
 * What the request handlers of a logged-in session ({@link ReadyRequests}, {@link AdminRequests})
 * may do with their {@link Session}: answer on the connection, audit, log out, end the session.
 * Implemented by the session only; its methods are called on the session's reader thread,
 * except {@link #endNow}, which any thread may call.
 */
interface SessionLink {
    /** The session as the job logic sees it, for the coordinator's calls. */
    Peer peer();

    /** The logged-in user. */
    default String user() {
        return peer().user();
    }

    /** Whether the logged-in account is an admin. */
    boolean isAdmin();

    /**
     * Queues an answer straight on the connection (no open-request bookkeeping: the answers a
     * handler sends itself belong to requests that opened nothing); false when it is gone.
     */
    boolean reply(int requestId, Message m);

    /** Records a request and its outcome in the audit log, as this session's user. */
    void audit(AuditAction action, long requestId, Long jobId, Code outcome, String detail);

    /** Refuses a well-formed request that is not allowed now: {@code ILR#id}, audited. */
    default void illegal(int requestId, Code code, String reason) {
        reply(requestId, new Message.Illegal(reason));
        audit(AuditAction.of(code), requestId, null, Code.ILR, reason);
    }

    /** DCN: the token is revoked, {@code BYE#id} sent, and the connection closed after it. */
    void logout(int requestId);

    /** Ends the session now with {@code ILR#0{reason}} (see {@link Session#endForAccount}). */
    void endNow(String reason);
}
