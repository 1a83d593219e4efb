package idle.server.net;

import idle.server.admin.AdminRedaction;
import idle.server.audit.AuditAction;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.protocol.Code;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the admin commands ({@code ADM}) of one session and keeps its end-after-admin rule: when a
 * command ends its own session (an admin disables itself or changes its own password), the
 * command's answer goes out before the session's {@code ILR#0}. Only an admin account may run
 * commands; the audit row names the command with its secrets hidden ({@link AdminRedaction}).
 *
 * <p>Threads: {@link #run} on the session's reader thread, one command at a time;
 * {@link #endForAccount} on any thread. Lives as long as its session.
 */
final class AdminRequests {
    private static final Logger LOG = Logger.getLogger(AdminRequests.class.getName());

    private final ServerContext.AdminHandler handler;
    private final SessionLink session;
    /** True while a command runs: an end it causes waits for the reply. */
    private volatile boolean running;
    private volatile String endAfter;

    AdminRequests(ServerContext.AdminHandler handler, SessionLink session) {
        this.handler = handler;
        this.session = session;
    }

    /** ADM#id: runs the command and answers {@code SCF{text}} or {@code FLD}. */
    void run(int id, Message.Admin a) {
        if (!session.isAdmin()) {
            session.illegal(id, Code.ADM, "admin commands need an admin account");
            return;
        }
        String words = AdminRedaction.words(a.argv());
        running = true;
        try {
            String out = handler.run(a.argv(), session.user());
            session.reply(id, new Message.Success(new Result.Text(out)));
            session.audit(AuditAction.ADM, id, null, Code.SCF, words);
        } catch (ServerContext.AdminFailure e) {
            session.reply(id, new Message.Failure(e.kind(), e.getMessage()));
            session.audit(AuditAction.ADM, id, null, Code.FLD, AdminRedaction.failure(a.argv(),
                    e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "admin command failed", e);
            session.reply(id, new Message.Failure(FailureKind.INTERNAL,
                    String.valueOf(e.getMessage())));
            session.audit(AuditAction.ADM, id, null, Code.FLD, AdminRedaction.failure(a.argv(),
                    e.toString()));
        } finally {
            running = false;
            String end = endAfter; // e.g. the admin changed its own password
            if (end != null) {
                session.endNow(end);
            }
        }
    }

    /**
     * The session's account was disabled or its password changed: the session ends now, or
     * right after the answer of the command that is running. Any thread; idempotent.
     */
    void endForAccount(String reason) {
        endAfter = reason;
        if (!running) {
            session.endNow(reason);
        }
    }
}
