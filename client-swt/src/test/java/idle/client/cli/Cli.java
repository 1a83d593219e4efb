package idle.client.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the command line in-process with captured streams and a controlled environment. */
public final class Cli {
    public final Map<String, String> env = new HashMap<>();
    private final Path dataDir;

    public Cli(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** One finished command: its status and what it wrote. */
    public record Outcome(int code, String out, String err, byte[] outBytes) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public Cli withEnv(String k, String v) {
        env.put(k, v);
        return this;
    }

    public Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = Commands.execute(args, new CliContext(o, e, env::get, () -> null, dataDir));
        o.flush();
        e.flush();
        return new Outcome(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8), out.toByteArray());
    }
}
