package idle.client.ui;

import idle.client.ui.actions.StatusField;
import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.ConnectionState;
import org.eclipse.jface.action.StatusLineManager;
import org.eclipse.swt.widgets.Widget;

/**
 * The workbench's status line: a message or an error on the left; on the right whether this
 * computer is lending, how many lenders are online (asked of the server every
 * {@link #POOL_POLL_MS} ms while logged in, and when something changed) and the connection to the
 * server. UI thread only: the pool is asked on a worker of {@link Background}, and its answer,
 * like every connection change, is shown on the UI thread and dropped once the window is gone.
 *
 * <p>Lifecycle: made with the window, given its status line manager when the window makes it
 * ({@link #contribute}), started with the window's contents ({@link #start}).
 */
final class WorkbenchStatus {
    /** How often the lenders online are asked for while logged in, in ms. */
    static final int POOL_POLL_MS = 5000;

    private final UiThread ui;
    private final IdleResources resources;
    private final Background background;
    private final java.util.function.Consumer<idle.shared.model.PoolStatus> poolListener;
    private final Sessions sessions;
    private final StatusField connectionField = new StatusField("idle.connection", 44);
    private final StatusField lendersField = new StatusField("idle.lenders", 18);
    private final StatusField lendingField = new StatusField("idle.lending", 14);
    private StatusLineManager line;
    private Widget owner;
    /** The last message shown (for tests: the status line keeps no getter). */
    private String lastMessage = "";
    private boolean polling;

    /** @param poolListener told each pool answer, on the UI thread (e.g. the queue's needs) */
    WorkbenchStatus(UiThread ui, IdleResources resources, Background background, Sessions sessions,
            java.util.function.Consumer<idle.shared.model.PoolStatus> poolListener) {
        this.ui = ui;
        this.resources = resources;
        this.background = background;
        this.sessions = sessions;
        this.poolListener = poolListener;
    }

    /** Adds the fields to the window's status line, which shows the messages from now on. */
    void contribute(StatusLineManager manager) {
        manager.add(lendingField);
        manager.add(lendersField);
        manager.add(connectionField);
        line = manager;
    }

    /** Starts asking for the pool while {@code contents} (the window's contents) live. */
    void start(Widget contents) {
        owner = contents;
        ui.every(POOL_POLL_MS, contents, this::pollPool);
    }

    /** Shows a message (and clears an error). */
    void message(String message) {
        lastMessage = message;
        if (line != null && line.getControl() != null && !line.getControl().isDisposed()) {
            line.setErrorMessage(null);
            line.setMessage(message);
        }
    }

    /** Shows an error until the next message. */
    void error(String message) {
        if (line != null) {
            line.setErrorMessage(message);
        }
    }

    /** The session changed (null: logged out): shows its connection and asks for the pool. */
    void sessionChanged(ClientSession s) {
        if (s == null) {
            connectionField.set("Not logged in", resources.image(Icons.DOT_GREY), null);
            lendersField.set("Lenders online: –", null, null);
            return;
        }
        s.onConnectionChange(state -> ui.async(owner, () -> {
            if (sessions.current() == s) {
                showConnection(s, state);
            }
        }));
        pollPool();
    }

    /** Lending was switched on or off. */
    void lendingChanged(boolean on) {
        lendingField.set(on ? "Lending: on" : "Lending: off",
                resources.image(on ? Icons.DOT_GREEN : Icons.DOT_GREY), "Become IDLEr: lend this computer");
        pollPool();
    }

    /** Asks the server for the pool now, unless logged out or a question is open. */
    void pollPool() {
        ClientSession s = sessions.current();
        if (s == null || polling) {
            return;
        }
        polling = true;
        background.run(owner, () -> s.pool(), pool -> {
            polling = false;
            poolListener.accept(pool);
            lendersField.set("Lenders online: " + pool.lendersOnline(), null,
                    pool.freeSlots() + " free slots, " + pool.queuedJobs() + " queued, " + pool.runningJobs()
                            + " running; " + pool.modules().size() + " python packages offered by "
                            + "lenders of two or more people");
        }, failure -> {
            polling = false;
            lendersField.set("Lenders online: ?", null, UserMessages.describe(failure));
        });
    }

    /** The text of a field: "connection", "lenders" or "lending" (tests). */
    String field(String which) {
        return switch (which) {
            case "connection" -> connectionField.text();
            case "lenders" -> lendersField.text();
            case "lending" -> lendingField.text();
            case "message" -> lastMessage;
            default -> throw new IllegalArgumentException(which);
        };
    }

    private void showConnection(ClientSession s, ConnectionState state) {
        String icon = switch (state) {
            case CONNECTED -> Icons.DOT_GREEN;
            case RECONNECTING -> Icons.DOT_ORANGE;
            case DISCONNECTED -> Icons.DOT_GREY;
        };
        connectionField.set(state.label() + ": " + s.user() + " @ " + s.server(), resources.image(icon),
                "Connection to the IDLE server");
    }
}
