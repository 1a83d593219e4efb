package idle.client.ui;

import idle.client.ui.service.ClientSession;
import idle.client.ui.service.ServiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Holds the current logged-in session (or none) and tells the parts of the workbench when it
 * changes. UI thread only; capture {@link #require()} on the UI thread and hand the session to
 * the worker.
 */
public final class Sessions {
    private final List<Consumer<ClientSession>> listeners = new ArrayList<>();
    private ClientSession current;

    /** Listener gets the new session, or null after logout. */
    public void addListener(Consumer<ClientSession> listener) {
        listeners.add(listener);
    }

    public ClientSession current() {
        return current;
    }

    public boolean isLoggedIn() {
        return current != null;
    }

    /** The current session, or a failure the error path can show. */
    public ClientSession require() throws ServiceException {
        if (current == null) {
            throw new ServiceException(ServiceException.Kind.OTHER, "Not logged in. Use File > Log In… first.");
        }
        return current;
    }

    /** Sets the session; the previous one (if any) is returned for the caller to close off the UI thread. */
    public ClientSession set(ClientSession session) {
        ClientSession old = current;
        current = session;
        for (Consumer<ClientSession> l : List.copyOf(listeners)) {
            l.accept(session);
        }
        return old;
    }
}
