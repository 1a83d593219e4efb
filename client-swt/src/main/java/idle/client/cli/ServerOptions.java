package idle.client.cli;

import idle.client.net.ConnectException;
import idle.client.net.ConnectionListener;
import idle.client.net.ConnectionOptions;
import idle.client.net.ConnectionState;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to a server shares, and the login they lead to. The
 * password comes from {@code IDLE_PASSWORD}, else {@code --password-file}, else a prompt without
 * echo on the terminal.
 */
public final class ServerOptions {
    @Option(names = "--server", paramLabel = "HOST:PORT",
            description = "The IDLE server (default: $IDLE_SERVER, else localhost:8001).")
    String server;

    @Option(names = "--user", paramLabel = "NAME",
            description = "Your user name on the server (default: $IDLE_USER, else your login name).")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the password from the first line of FILE (when IDLE_PASSWORD is not set).")
    Path passwordFile;

    @Option(names = "--insecure-plaintext",
            description = "Talk to a server that runs without TLS: your password and scripts cross "
                    + "the network in clear. Only on a network you trust.")
    boolean insecurePlaintext;

    ServerAddress address(CliContext ctx) {
        String s = server != null ? server : ctx.env().apply("IDLE_SERVER");
        if (s == null || s.isBlank()) {
            s = "localhost:" + ServerAddress.DEFAULT_PORT;
        }
        try {
            return ServerAddress.parse(s);
        } catch (IllegalArgumentException e) {
            throw new CliExit(ExitCodes.USAGE, "--server: " + e.getMessage());
        }
    }

    String user(CliContext ctx) {
        String u = user != null ? user : ctx.env().apply("IDLE_USER");
        if (u == null || u.isBlank()) {
            u = System.getProperty("user.name");
        }
        return u;
    }

    char[] password(CliContext ctx, ServerAddress address, String name) {
        String env = ctx.env().apply("IDLE_PASSWORD");
        if (env != null) {
            return env.toCharArray();
        }
        if (passwordFile != null) {
            try {
                String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                String first = nl >= 0 ? text.substring(0, nl) : text;
                if (first.endsWith("\r")) {
                    first = first.substring(0, first.length() - 1);
                }
                return first.toCharArray();
            } catch (IOException e) {
                throw new CliExit(ExitCodes.USAGE, "cannot read the password file " + passwordFile
                        + ": " + e.getMessage());
            }
        }
        Console console = ctx.console().get();
        if (console == null) {
            throw new CliExit(ExitCodes.USAGE, "no password: set IDLE_PASSWORD, pass "
                    + "--password-file FILE, or run in a terminal to be asked");
        }
        char[] pw = console.readPassword("Password for %s at %s: ", name, address);
        if (pw == null) {
            throw new CliExit(ExitCodes.USAGE, "no password given");
        }
        return pw;
    }

    /**
     * TLS pinned in {@code known_servers} of the client data directory; a server seen for the first
     * time is accepted and its fingerprint printed (like ssh's accept-new). With
     * {@code --insecure-plaintext}: no TLS, and a warning on stderr.
     */
    ConnectionOptions options(CliContext ctx) {
        ConnectionOptions o = ConnectionOptions.defaults()
                .withKnownServers(ctx.dataDir().resolve("known_servers"))
                .withFirstUse((hostPort, fingerprint) -> {
                    ctx.err().println("idle: first connection to " + hostPort + "; its TLS key is");
                    ctx.err().println("idle:   " + fingerprint);
                    ctx.err().println("idle: pinned it in " + ctx.dataDir().resolve("known_servers")
                            + " (compare with what the server printed at start)");
                    return true;
                });
        if (insecurePlaintext) {
            ctx.err().println("idle: WARNING: --insecure-plaintext: no TLS; your password and "
                    + "scripts cross the network in clear");
            o = o.withInsecurePlaintext(true);
        }
        return o;
    }

    /**
     * Connects and logs in, turning failures into the documented exit codes: 69 unreachable,
     * 76 server key not trusted, 77 login refused.
     */
    ServerConnection connect(CliContext ctx, String clientName) {
        return connect(ctx, clientName, Duration.ofMinutes(2));
    }

    /** Like {@link #connect(CliContext, String)}; reconnects give up after {@code giveUp} (null: never). */
    ServerConnection connect(CliContext ctx, String clientName, Duration giveUp) {
        ServerAddress address = address(ctx);
        String name = user(ctx);
        char[] pw = password(ctx, address, name);
        Credentials credentials = new Credentials(name, pw);
        Arrays.fill(pw, '\0');
        ConnectionOptions options = options(ctx).withClientName(clientName)
                .withGiveUpAfter(giveUp);
        ConnectionListener reporter = new ConnectionListener() {
            @Override
            public void stateChanged(ConnectionState state, String detail) {
                if (state == ConnectionState.RECONNECTING) {
                    ctx.err().println("idle: " + detail);
                }
            }

            @Override
            public void reconnected(boolean resumed) {
                ctx.err().println("idle: reconnected to " + address);
            }

            @Override
            public void serverShuttingDown(String reason) {
                ctx.err().println("idle: the server is shutting down: " + reason);
            }
        };
        try {
            return ServerConnection.connect(address, credentials, options, reporter);
        } catch (ConnectException e) {
            throw new CliExit(switch (e.reason()) {
                case BAD_CREDENTIALS, ACCOUNT_DISABLED, THROTTLED, BUSY -> ExitCodes.LOGIN_FAILED;
                case UNREACHABLE, PROTOCOL -> ExitCodes.UNREACHABLE;
                case UNTRUSTED -> ExitCodes.UNTRUSTED;
            }, e.getMessage());
        }
    }
}
