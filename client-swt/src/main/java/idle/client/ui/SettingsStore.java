package idle.client.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A small properties file in the user's IDLE directory (e.g. {@code ~/.idle/client/workbench.properties}).
 * {@link #load} and {@link #save} touch the disk: call them at startup before the window opens,
 * or on a worker. The getters and setters work on the in-memory copy and are thread-safe.
 * A missing or unreadable file gives the defaults; saving is atomic (write, then rename).
 */
public final class SettingsStore {
    private static final Logger LOG = Logger.getLogger(SettingsStore.class.getName());

    private final Path file;
    private final Properties values = new Properties();
    private final Object diskLock = new Object();

    public SettingsStore(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /** The user's IDLE client directory: {@code $IDLE_HOME/client} or {@code ~/.idle/client}. */
    public static Path defaultDirectory() {
        String home = System.getenv("IDLE_HOME");
        Path base = home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".idle");
        return base.resolve("client");
    }

    public Path file() {
        return file;
    }

    /** Reads the file, keeping defaults when it is missing or broken. Disk: not on the UI thread. */
    public synchronized SettingsStore load() {
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                values.load(in);
            } catch (IOException | IllegalArgumentException e) {
                LOG.log(Level.WARNING, "ignoring unreadable settings " + file, e);
            }
        }
        return this;
    }

    /** Writes the file atomically. Disk: not on the UI thread. */
    public void save() throws IOException {
        // One save at a time: two workers (the layout, a view's choices) share the temporary file.
        synchronized (diskLock) {
            Properties copy;
            synchronized (this) {
                copy = new Properties();
                copy.putAll(values);
            }
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                copy.store(out, "IDLE workbench");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    public synchronized String get(String key, String otherwise) {
        return values.getProperty(key, otherwise);
    }

    public synchronized void put(String key, String value) {
        if (value == null) {
            values.remove(key);
        } else {
            values.setProperty(key, value);
        }
    }

    public int getInt(String key, int otherwise) {
        try {
            return Integer.parseInt(get(key, "").trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    public void putInt(String key, int value) {
        put(key, Integer.toString(value));
    }

    public boolean getBoolean(String key, boolean otherwise) {
        String v = get(key, null);
        return v == null ? otherwise : Boolean.parseBoolean(v.trim());
    }

    public void putBoolean(String key, boolean value) {
        put(key, Boolean.toString(value));
    }

    /** Comma-separated integers; entries that do not parse are skipped. */
    public int[] getInts(String key) {
        String v = get(key, "");
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            try {
                if (!part.isBlank()) {
                    out.add(Integer.parseInt(part.trim()));
                }
            } catch (NumberFormatException ignored) {
                // skip
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public void putInts(String key, int[] ints) {
        StringBuilder sb = new StringBuilder();
        for (int i : ints) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(i);
        }
        put(key, sb.toString());
    }

    /** Comma-separated longs (e.g. open job tabs). */
    public List<Long> getLongs(String key) {
        List<Long> out = new ArrayList<>();
        for (String part : get(key, "").split(",")) {
            try {
                if (!part.isBlank()) {
                    out.add(Long.parseLong(part.trim()));
                }
            } catch (NumberFormatException ignored) {
                // skip
            }
        }
        return out;
    }

    public void putLongs(String key, List<Long> longs) {
        StringBuilder sb = new StringBuilder();
        for (long l : longs) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(l);
        }
        put(key, sb.toString());
    }
}
