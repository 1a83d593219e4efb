package idle.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Logging of the {@code idle} loggers to {@code DATA/idle.log} and stderr, one line a record. */
final class ServerLogging implements AutoCloseable {
    private static final Logger ROOT = Logger.getLogger("idle");
    private static final java.util.concurrent.atomic.AtomicInteger OPEN =
            new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A LogManager whose {@code reset()} (run by the JDK's own shutdown hook) waits until no
     * server is open, so a server shutting down on SIGTERM can still log its last lines.
     * {@link ServerMain#main} installs it through {@code java.util.logging.manager}.
     */
    public static final class Manager extends java.util.logging.LogManager {
        @Override
        public void reset() {
            if (OPEN.get() > 0) {
                return; // the server closes its own handlers when it stops
            }
            super.reset();
        }
    }
    private final Handler file;
    private final Handler console;

    private ServerLogging(Handler file, Handler console) {
        this.file = file;
        this.console = console;
    }

    static ServerLogging install(Path logFile) throws IOException {
        OneLine fmt = new OneLine();
        Handler f = null;
        if (logFile != null) {
            f = new FileHandler(logFile.toString(), true);
            f.setFormatter(fmt);
            f.setLevel(Level.INFO);
            ROOT.addHandler(f);
        }
        Handler c = null;
        if (!Boolean.getBoolean("idle.log.quiet")) {
            c = new ConsoleHandler();
            c.setFormatter(fmt);
            c.setLevel(Level.INFO);
            ROOT.addHandler(c);
        }
        ROOT.setUseParentHandlers(false);
        ROOT.setLevel(Level.INFO);
        OPEN.incrementAndGet();
        return new ServerLogging(f, c);
    }

    @Override
    public void close() {
        OPEN.decrementAndGet();
        if (file != null) {
            ROOT.removeHandler(file);
            file.close();
        }
        if (console != null) {
            ROOT.removeHandler(console);
            console.flush();
        }
    }

    static final class OneLine extends Formatter {
        private static final DateTimeFormatter TS = DateTimeFormatter
                .ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append(TS.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                    .append(r.getLevel().getName()).append(' ')
                    .append(r.getLoggerName().replace("idle.server.", "")).append(": ")
                    .append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                sb.append(sw);
            }
            return sb.toString();
        }
    }
}
