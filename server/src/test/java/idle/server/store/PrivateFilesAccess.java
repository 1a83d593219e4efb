package idle.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Lets tests outside the package reach {@link PrivateFiles#openNew}. */
public final class PrivateFilesAccess {
    private PrivateFilesAccess() {
    }

    public static FileChannel openNew(Path file) throws IOException {
        return PrivateFiles.openNew(file);
    }
}
