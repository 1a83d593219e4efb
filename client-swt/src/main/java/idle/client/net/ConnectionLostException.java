package idle.client.net;

import java.io.IOException;

/** The connection dropped (or was closed) before a reply arrived. */
public final class ConnectionLostException extends IOException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message, Throwable cause) {
        super(UntrustedText.clean(message), cause); // may quote what the server sent
    }
}
