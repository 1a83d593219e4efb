package idle.server.net;

import idle.server.ServerConfig;
import idle.server.audit.AuditLog;
import idle.server.auth.Accounts;
import idle.server.auth.SessionTokens;
import idle.server.dispatch.Coordinator;
import java.util.List;

/**
 * What a session needs from the server, wired once by {@code IdleServer}; {@code credits} tells
 * lenders their account's record ({@code CRD}).
 */
public record ServerContext(ServerConfig config, Coordinator coordinator, Accounts accounts,
        SessionTokens tokens, AuditLog audit, AdminHandler admin,
        idle.server.auth.LoginThrottle throttle,
        idle.server.reputation.CreditNotices credits) {

    /** Runs an admin command for an admin account (ADM). */
    public interface AdminHandler {
        /** The command's text output. @throws AdminFailure for a failed command */
        String run(List<String> argv, String actor);
    }

    /** A failed admin command, with the kind of failure for FLD. */
    public static final class AdminFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final idle.shared.model.FailureKind kind;

        public AdminFailure(idle.shared.model.FailureKind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public idle.shared.model.FailureKind kind() {
            return kind;
        }
    }
}
