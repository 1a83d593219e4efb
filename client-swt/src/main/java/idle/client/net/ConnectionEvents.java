package idle.client.net;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link ConnectionListener}s of one connection and the one event thread that calls them:
 * events are delivered one at a time, in the order they were fired, never on the thread that
 * fired them (so a reader or reconnect thread never waits for a listener). A listener that throws
 * is logged and the others still hear the event. After {@link #shutdown} what was fired before is
 * still delivered, later events are dropped. Thread-safe.
 */
final class ConnectionEvents {
    private static final Logger LOG = Logger.getLogger(ConnectionEvents.class.getName());

    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;

    ConnectionEvents() {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "idle-conn-events");
            t.setDaemon(true);
            return t;
        });
    }

    void add(ConnectionListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    void remove(ConnectionListener l) {
        listeners.remove(l);
    }

    /** Calls {@code call} on every listener, later, on the event thread. */
    void fire(Consumer<ConnectionListener> call) {
        if (thread.isShutdown()) {
            return;
        }
        try {
            thread.execute(() -> {
                for (ConnectionListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "connection listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException ignored) {
            // shut down meanwhile
        }
    }

    /** Delivers what is queued (such as the final CLOSED state), then stops. */
    void shutdown() {
        thread.shutdown();
    }
}
