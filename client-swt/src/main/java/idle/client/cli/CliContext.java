package idle.client.cli;

import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the commands use of the outside world, so they can run in-process in tests: the output
 * streams, the environment, the console for the password prompt, and the client data directory.
 *
 * @param out standard output (script output goes here raw)
 * @param err standard error (script stderr, messages, errors)
 * @param env reads an environment variable (null when unset)
 * @param console the terminal for a password prompt; supplies null when there is none
 * @param dataDir the client data directory, {@code ~/.idle/client}
 */
public record CliContext(PrintStream out, PrintStream err, Function<String, String> env,
        Supplier<Console> console, Path dataDir) {
    public CliContext {
        Objects.requireNonNull(out);
        Objects.requireNonNull(err);
        Objects.requireNonNull(env);
        Objects.requireNonNull(console);
        Objects.requireNonNull(dataDir);
    }

    /** The real process: System.out/err, the real environment and console, ~/.idle/client. */
    public static CliContext system() {
        return new CliContext(System.out, System.err, System::getenv, System::console,
                idle.client.lender.LenderSettings.defaultDataDir());
    }
}
