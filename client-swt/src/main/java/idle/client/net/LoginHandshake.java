package idle.client.net;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Limits;
import idle.shared.protocol.ProtocolException;
import idle.shared.tls.TlsFailure;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The login on a freshly dialed connection: {@code LGN} (with the previous session's resume token,
 * or none), answering the server's {@code USR} and {@code PWD} with the credentials, until
 * {@code SCF{Session}} or a refusal.
 *
 * <p>Blocking, on the dialing thread; bounded by the socket's read timeout (the
 * {@link Dialer} sets it). A refusal is a {@link ConnectException}: {@code BAD_CREDENTIALS},
 * {@code ACCOUNT_DISABLED} or {@code THROTTLED} for a refused login (retrying will not help), and
 * {@code PROTOCOL} for anything else, including a resume token the server no longer accepts (the
 * caller then logs in afresh) and a TLS server refusing a plaintext client, recognised by the
 * shared {@link TlsFailure#TLS_REQUIRED_REFUSAL} and reported with a {@link TlsFailure} of kind
 * {@link TlsFailure.Kind#SERVER_REQUIRES_TLS} as its cause. Other I/O failures are plain
 * {@link IOException}s. Holds no state between logins; the password is never kept in a String
 * longer than it takes to send it.
 */
final class LoginHandshake {
    private final ServerAddress address;
    private final Credentials credentials;
    private final String clientName;

    LoginHandshake(ServerAddress address, Credentials credentials, String clientName) {
        this.address = Objects.requireNonNull(address, "address");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clientName = Objects.requireNonNull(clientName, "clientName");
    }

    /**
     * Logs in under {@code requestId}.
     *
     * @param resumeToken the previous session's token, or null for a fresh login
     * @return the new (or resumed) session
     */
    Result.Session run(FrameChannel channel, int requestId, String resumeToken)
            throws IOException {
        channel.writeAndFlush(frame(requestId, new Message.Login(clientName, resumeToken)));
        while (true) {
            Frame f;
            Message m;
            try {
                f = channel.read();
                m = idle.shared.message.Codec.decode(f);
            } catch (ProtocolException e) {
                throw new ConnectException(ConnectException.Reason.PROTOCOL,
                        "the server broke the protocol during login: " + e.getMessage(), e);
            }
            if (f.requestId() != requestId) {
                if (m instanceof Message.Illegal i) {
                    throw refusedOutright(i.reason());
                }
                continue; // nothing else is expected before the login ends; ignore it
            }
            switch (m) {
                case Message.UserId u -> channel.writeAndFlush(
                        frame(requestId, new Message.UserId(credentials.user())));
                case Message.Password p -> {
                    char[] pw = credentials.password();
                    try {
                        channel.writeAndFlush(frame(requestId, new Message.Password(new String(pw))));
                    } finally {
                        Arrays.fill(pw, '\0');
                    }
                }
                case Message.Success s when s.result() instanceof Result.Session session -> {
                    return session;
                }
                case Message.Failure fl -> {
                    if (resumeToken != null) {
                        throw new ConnectException(ConnectException.Reason.PROTOCOL,
                                "session not resumed: " + fl.reason());
                    }
                    throw refused(fl.kind(), fl.reason());
                }
                case Message.Illegal i -> throw new ConnectException(ConnectException.Reason.PROTOCOL,
                        "the server refused the login: " + i.reason());
                default -> throw new ConnectException(ConnectException.Reason.PROTOCOL,
                        "unexpected " + m.code() + " during login");
            }
        }
    }

    /** An {@code ILR} outside the login's exchange: the server refuses the connection itself. */
    private ConnectException refusedOutright(String reason) {
        if (TlsFailure.isTlsRequiredRefusal(reason)) {
            String why = "the IDLE server at " + address + " requires TLS: connect without "
                    + "--insecure-plaintext";
            return new ConnectException(ConnectException.Reason.PROTOCOL, why,
                    new TlsFailure(TlsFailure.Kind.SERVER_REQUIRES_TLS, why, null));
        }
        return new ConnectException(ConnectException.Reason.PROTOCOL,
                "the server refused the login: " + reason);
    }

    private ConnectException refused(FailureKind kind, String reason) {
        String who = credentials.user();
        return switch (kind) {
            case ACCOUNT_DISABLED -> new ConnectException(ConnectException.Reason.ACCOUNT_DISABLED,
                    "the account '" + who + "' is disabled" + suffix(reason));
            case THROTTLED -> new ConnectException(ConnectException.Reason.THROTTLED,
                    "too many failed logins for '" + who + "'; try again later" + suffix(reason));
            case BUSY -> new ConnectException(ConnectException.Reason.BUSY,
                    "the server is busy; try again in a moment" + suffix(reason));
            case BAD_CREDENTIALS -> new ConnectException(ConnectException.Reason.BAD_CREDENTIALS,
                    "wrong user name or password for '" + who + "'");
            default -> new ConnectException(ConnectException.Reason.BAD_CREDENTIALS,
                    "login refused" + suffix(reason));
        };
    }

    private static String suffix(String reason) {
        return reason == null || reason.isBlank() ? "" : " (" + reason + ")";
    }

    /** A login frame; a user name or password too long for the protocol refuses the login. */
    private static Frame frame(int id, Message m) throws ConnectException {
        try {
            return MessageEncoder.encode(id, m);
        } catch (RequestTooLargeException e) {
            throw new ConnectException(ConnectException.Reason.BAD_CREDENTIALS,
                    "the user name or password is longer than IDLE's protocol allows ("
                            + Limits.MAX_STRING + " bytes)", e);
        }
    }
}
