package idle.server.relay;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes a job's output durable before the server says it has it: an output file before its
 * {@code EOF} is acknowledged, the output spool before the job's end is written (a crash after
 * the runner saw SUCCEEDED must not lose what the job left). {@link #FSYNC} is the server's;
 * tests wrap it to see when and in which order it is called. Stateless; any thread.
 */
public interface Durability {
    /** Forces {@code file}'s content and size to the storage device. */
    void force(FileChannel file) throws IOException;

    /** Forces the entries of directory {@code dir} (a rename or a new entry in it). */
    void forceDirectory(Path dir) throws IOException;

    /** fsync (Linux): of the file, and of a directory opened read-only. */
    Durability FSYNC = new Durability() {
        private static final Logger LOG = Logger.getLogger(Durability.class.getName());

        @Override
        public void force(FileChannel file) throws IOException {
            file.force(true);
        }

        @Override
        public void forceDirectory(Path dir) throws IOException {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (UnsupportedOperationException e) {
                // a file system that cannot open a directory: the rename is still done
                LOG.log(Level.FINE, "cannot sync " + dir, e);
            }
        }
    };
}
