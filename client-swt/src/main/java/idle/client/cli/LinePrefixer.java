package idle.client.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a stream's bytes line by line with a prefix ({@code [name] }), keeping a partial last
 * line until it is completed or {@link #finish}ed. Used when several scripts share the terminal.
 * Thread-safe.
 */
final class LinePrefixer {
    private final byte[] prefix;
    private final PrintStream target;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    LinePrefixer(String prefix, PrintStream target) {
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        this.target = target;
    }

    synchronized void write(byte[] data) {
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                partial.write(data, start, i + 1 - start);
                emit();
                start = i + 1;
            }
        }
        partial.write(data, start, data.length - start);
    }

    /** Ends a partial last line with a newline. */
    synchronized void finish() {
        if (partial.size() > 0) {
            partial.write('\n');
            emit();
        }
    }

    private void emit() {
        synchronized (target) {
            target.write(prefix, 0, prefix.length);
            target.write(partial.toByteArray(), 0, partial.size());
            target.flush();
        }
        partial.reset();
    }
}
