package idle.client;

import idle.client.cli.CliContext;
import idle.client.cli.Commands;

/**
 * The client program ({@code idle run|lend|jobs|output|cancel|gui}): the shaded jar's main class.
 * All wiring happens in {@link Commands}; this only hands the real process to it and exits with
 * its status.
 */
public final class ClientMain {
    private ClientMain() {
    }

    public static void main(String[] args) {
        int code = Commands.execute(args, CliContext.system());
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }
}
