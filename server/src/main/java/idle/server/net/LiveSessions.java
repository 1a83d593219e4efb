package idle.server.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's open sessions, shared by the {@link Acceptor} (which adds and removes them) and
 * the accounts (which end the sessions of an account that was disabled or whose password
 * changed). Made before both, so each gets it in its constructor. Thread-safe.
 */
public final class LiveSessions {
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    /** The open sessions: the acceptor adds and removes them here. */
    public Set<Session> all() {
        return sessions;
    }

    /**
     * Ends every session logged in as exactly {@code user}: each is told {@code reason}
     * ({@code ILR#0}) and closed; see {@link Session#endForAccount}. Sessions still logging in
     * check their token right after they are ready, so none slips through.
     */
    public void endSessionsOf(String user, String reason) {
        for (Session s : sessions) {
            if (user.equals(s.user())) {
                s.endForAccount(reason);
            }
        }
    }
}
