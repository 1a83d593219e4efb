package idle.server.admin;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.ProtocolException;
import idle.shared.tls.KnownServers;
import idle.shared.tls.TlsContexts;
import idle.shared.tls.TlsFailure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

/**
 * Runs one admin command through a running server: log in as an admin, send ADM, print SCF.
 * What the server sends is printed through {@link TerminalText}, whoever put it there.
 */
public final class RemoteAdmin {
    private RemoteAdmin() {
    }

    /** A failure reported by the server (FLD, ILR) or the login. */
    public static final class RemoteFailure extends Exception {
        private static final long serialVersionUID = 1L;

        RemoteFailure(String message) {
            super(message);
        }
    }

    public static String run(String host, int port, String user, char[] password,
            List<String> argv) throws IOException, RemoteFailure {
        return run(host, port, user, password, argv, false, new java.io.PrintWriter(System.err,
                true));
    }

    /**
     * Like {@link #run(String, int, String, char[], List)}; over TLS pinned in the user's
     * {@code known_servers} (a new server's key is accepted and reported on {@code err}) unless
     * {@code plaintext}.
     */
    public static String run(String host, int port, String user, char[] password,
            List<String> argv, boolean plaintext, java.io.PrintWriter err)
            throws IOException, RemoteFailure {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress(host, port), 10_000);
        raw.setSoTimeout(60_000);
        raw.setTcpNoDelay(true);
        Socket tls = raw;
        if (!plaintext) {
            KnownServers known = new KnownServers(KnownServers.defaultFile());
            try {
                tls = TlsContexts.connectPinned(raw, host, port, known, (hp, fp) -> {
                    err.println("idle: first connection to " + hp + "; its TLS key is " + fp
                            + " (pinned in " + known.file() + ")");
                    err.flush();
                    return true;
                });
            } catch (TlsFailure e) {
                throw new RemoteFailure(e.getMessage());
            }
        }
        try (Socket s = tls) {
            Handshake.writeHello(s.getOutputStream());
            int v = Handshake.readHello(s.getInputStream());
            if (v != Handshake.VERSION) {
                throw new RemoteFailure("the server speaks protocol version " + v);
            }
            FrameChannel ch = new FrameChannel(s.getInputStream(), s.getOutputStream());
            ch.writeAndFlush(Codec.encode(1, new Message.Login("idle-admin/1.0", null)));
            expect(ch, Message.UserId.class);
            ch.writeAndFlush(Codec.encode(1, new Message.UserId(user)));
            expect(ch, Message.Password.class);
            ch.writeAndFlush(Codec.encode(1, new Message.Password(new String(password))));
            java.util.Arrays.fill(password, '\0');
            Message m = next(ch);
            if (!(m instanceof Message.Success ok && ok.result() instanceof Result.Session sess)) {
                throw new RemoteFailure("login failed: " + describe(m));
            }
            if (!sess.admin()) {
                throw new RemoteFailure(user + " is not an admin account");
            }
            ch.writeAndFlush(Codec.encode(2, new Message.Admin(argv)));
            Message r = next(ch);
            ch.writeAndFlush(Codec.encode(3, new Message.Logout()));
            if (r instanceof Message.Success done && done.result() instanceof Result.Text t) {
                return TerminalText.text(t.text());
            }
            throw new RemoteFailure(describe(r));
        } catch (ProtocolException e) {
            throw new IOException("protocol error: " + e.getMessage(), e);
        }
    }

    private static Message next(FrameChannel ch)
            throws IOException, ProtocolException, RemoteFailure {
        while (true) {
            Frame f = ch.read();
            Message m = Codec.decode(f);
            if (m instanceof Message.Illegal i && TlsFailure.isTlsRequiredRefusal(i.reason())) {
                // Typed by the shared constant, not by its words.
                throw new RemoteFailure("the server requires TLS: run without "
                        + "--insecure-plaintext");
            }
            if (m instanceof Message.Heartbeat h) {
                ch.writeAndFlush(Codec.encode(f.requestId(), new Message.Ack(h.token())));
                continue;
            }
            if (m instanceof Message.Shutdown) {
                ch.writeAndFlush(Codec.encode(f.requestId(), new Message.ShutdownAck()));
                throw new IOException("the server is shutting down");
            }
            return m;
        }
    }

    private static void expect(FrameChannel ch, Class<? extends Message> type)
            throws IOException, ProtocolException, RemoteFailure {
        Message m = next(ch);
        if (!type.isInstance(m)) {
            throw new RemoteFailure("unexpected reply during login: " + describe(m));
        }
    }

    private static String describe(Message m) {
        return switch (m) {
            case Message.Failure f -> f.kind() + ": " + TerminalText.text(f.reason());
            case Message.Illegal i -> "illegal request: " + TerminalText.text(i.reason());
            default -> m.code().name();
        };
    }
}
