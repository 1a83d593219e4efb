package idle.client.ui.service;

/** The state of the session's connection as the status line shows it. */
public enum ConnectionState {
    CONNECTED("Connected"),
    RECONNECTING("Reconnecting…"),
    DISCONNECTED("Offline");

    private final String label;

    ConnectionState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
