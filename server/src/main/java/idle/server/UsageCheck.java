package idle.server;

import picocli.CommandLine;

/** The one way the server's command line refuses an option value: a usage error, exit 64. */
final class UsageCheck {
    private UsageCheck() {
    }

    /**
     * @throws CommandLine.ParameterException saying {@code message} unless {@code ok}
     */
    static void require(CommandLine.Model.CommandSpec spec, boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
