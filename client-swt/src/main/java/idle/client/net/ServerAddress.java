package idle.client.net;

import java.util.Objects;

/** Where a server listens. Parsed from {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code HOST}. */
public record ServerAddress(String host, int port) {
    /** The port of the original IDLE server, used when none is given. */
    public static final int DEFAULT_PORT = 8001;

    public ServerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the server's host name is empty");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    /**
     * Parses {@code HOST:PORT}, {@code [V6ADDR]:PORT} or a bare host (port 8001).
     *
     * @throws IllegalArgumentException with a message fit for a user
     */
    public static ServerAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "': missing ']' after the IPv6 address");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            } else {
                host = s;
            }
        }
        int p = DEFAULT_PORT;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + port + "' is not a port number");
            }
        }
        return new ServerAddress(host, p);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
