package idle.client.net;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.ProtocolException;
import idle.shared.tls.KnownServers;
import idle.shared.tls.TlsContexts;
import idle.shared.tls.TlsFailure;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Opens one physical connection to an IDLE server, up to the point where the login can start:
 * TCP, then TLS with the server's key checked against its pin ({@link TlsContexts#connectPinned},
 * unless {@link ConnectionOptions#insecurePlaintext()}), then the version hellos.
 *
 * <p>Blocking, on the caller's thread; each step is bounded by
 * {@link ConnectionOptions#connectTimeout()}, which stays the socket's read timeout on the returned
 * connection so that the login is bounded too (the caller clears it once logged in). Every failure
 * is a {@link ConnectException} whose message tells a person what happened; nothing is left open
 * after one. Stateless apart from its settings; any thread.
 */
final class Dialer {
    private final ServerAddress address;
    private final ConnectionOptions options;

    Dialer(ServerAddress address, ConnectionOptions options) {
        this.address = Objects.requireNonNull(address, "address");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A dialed connection: the socket (TLS or plain) and the frame channel over it. */
    record Dialed(Socket socket, FrameChannel channel) {
        void close() {
            closeQuietly(socket);
        }
    }

    /**
     * Connects, starts TLS and exchanges hellos.
     *
     * @throws ConnectException {@code UNREACHABLE} (nothing answers, not IDLE, TLS failed),
     *     {@code UNTRUSTED} (the key is not the pinned one, or was not accepted), {@code PROTOCOL}
     *     (another protocol version)
     */
    Dialed dial() throws ConnectException {
        Socket socket = new Socket();
        try {
            socket = connect(socket);
            var out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            var in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            FrameChannel channel = new FrameChannel(in, out);
            int version = hello(in, out);
            if (version != Handshake.VERSION) {
                throw wrongVersion(version, channel);
            }
            return new Dialed(socket, channel);
        } catch (ConnectException e) {
            closeQuietly(socket);
            throw e;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new ConnectException(ConnectException.Reason.UNREACHABLE,
                    "lost the connection to " + address + " while logging in: " + describe(e), e);
        }
    }

    /** TCP, then TLS unless plaintext; returns the socket to talk through. */
    private Socket connect(Socket socket) throws IOException {
        int timeout = (int) options.connectTimeout().toMillis();
        try {
            socket.connect(new InetSocketAddress(address.host(), address.port()), timeout);
        } catch (UnknownHostException e) {
            throw new ConnectException(ConnectException.Reason.UNREACHABLE, "cannot reach the server at "
                    + address + ": unknown host " + address.host(), e);
        } catch (SocketTimeoutException e) {
            throw new ConnectException(ConnectException.Reason.UNREACHABLE, "cannot reach the server at "
                    + address + ": no answer within " + options.connectTimeout().toSeconds() + " s", e);
        } catch (IOException e) {
            throw new ConnectException(ConnectException.Reason.UNREACHABLE, "cannot reach the server at "
                    + address + ": " + describe(e), e);
        }
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        socket.setSoTimeout(timeout);
        if (options.insecurePlaintext()) {
            return socket;
        }
        try {
            return TlsContexts.connectPinned(socket, address.host(), address.port(),
                    new KnownServers(options.knownServers()), options.firstUse());
        } catch (TlsFailure e) {
            throw new ConnectException(e.isTrustFailure() ? ConnectException.Reason.UNTRUSTED
                    : ConnectException.Reason.UNREACHABLE, e.getMessage(), e);
        } catch (IOException e) {
            throw new ConnectException(ConnectException.Reason.UNREACHABLE, "cannot reach the server at "
                    + address + ": TLS handshake: " + describe(e), e);
        }
    }

    /** Sends our hello and returns the server's version. */
    private int hello(java.io.InputStream in, java.io.OutputStream out) throws ConnectException {
        try {
            Handshake.writeHello(out);
            return Handshake.readHello(in);
        } catch (ProtocolException e) {
            throw new ConnectException(ConnectException.Reason.UNREACHABLE, "the service at "
                    + address + " is not an IDLE server (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ConnectException(ConnectException.Reason.UNREACHABLE, "the service at "
                    + address + " is not an IDLE server or closed the connection (" + describe(e)
                    + ")", e);
        }
    }

    /** The refusal of a server speaking another version, with its reason when it sent one. */
    private static ConnectException wrongVersion(int version, FrameChannel channel) {
        String why = "the server speaks protocol version " + version + ", this client "
                + Handshake.VERSION;
        try {
            Frame f = channel.read();
            if (Codec.decode(f) instanceof Message.Illegal i) {
                why = why + ": " + i.reason();
            }
        } catch (IOException | ProtocolException ignored) {
            // the versions are reason enough
        }
        return new ConnectException(ConnectException.Reason.PROTOCOL, why);
    }

    /** An I/O failure as a few words for a person. */
    static String describe(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused (is the server running?)";
        }
        if (e instanceof SocketException && e.getMessage() != null) {
            return e.getMessage();
        }
        if (e instanceof InterruptedIOException) {
            return "timed out";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
