package idle.client.cli;

import idle.client.lender.service.UserServiceInstaller;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code idle lend --install-service} and {@code --uninstall-service}: hands the lend options to
 * {@link UserServiceInstaller} for the user running the command, prints what it did, and maps
 * failures to exit codes (64 for what a unit file cannot carry, 1 for a file that cannot be
 * written). Stateless.
 */
final class LendService {
    private LendService() {
    }

    static int install(CliContext ctx, List<String> lendArgs, char[] password, long stopSeconds) {
        UserServiceInstaller installer = UserServiceInstaller.forThisUser(ctx.env(), ctx.dataDir());
        try {
            return report(ctx, installer.install(lendArgs, password, stopSeconds));
        } catch (IllegalArgumentException e) {
            throw new CliExit(ExitCodes.USAGE, "--install-service: " + e.getMessage());
        } catch (IOException e) {
            throw new CliExit(ExitCodes.FAILURE, "--install-service: " + e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    static int uninstall(CliContext ctx) {
        UserServiceInstaller installer = UserServiceInstaller.forThisUser(ctx.env(), ctx.dataDir());
        try {
            return report(ctx, installer.uninstall());
        } catch (IOException e) {
            throw new CliExit(ExitCodes.FAILURE, "--uninstall-service: " + e.getMessage());
        }
    }

    private static int report(CliContext ctx, UserServiceInstaller.Outcome outcome) {
        for (String line : outcome.messages()) {
            ctx.out().println("idle: " + line);
        }
        return ExitCodes.OK;
    }
}
