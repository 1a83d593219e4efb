package idle.server.dispatch;

import idle.server.relay.OutputSpool;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.model.StreamKind;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a replica's stored stdout or stderr back from its spool (the OUT payloads as received),
 * up to a bound, for {@link Differences}. Blocking file I/O: never under the state machine's
 * lock.
 */
final class SpoolStreams implements Differences.Streams {
    private final SpoolDirs spool;

    SpoolStreams(SpoolDirs spool) {
        this.spool = spool;
    }

    @Override
    public Optional<byte[]> read(long replicaId, StreamKind stream, int max) {
        Path file = spool.output(replicaId);
        if (!Files.isDirectory(spool.dir(replicaId))) {
            return Optional.empty(); // deleted (a losing replica, or retention)
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputSpool s = OutputSpool.open(file)) {
            for (int i = 0; i < s.count() && out.size() < max; i++) {
                if (Codec.decode(new Frame(Code.OUT, 0, s.read(i))) instanceof Message.Output o
                        && o.stream() == stream) {
                    out.write(o.data(), 0, Math.min(o.data().length, max - out.size()));
                }
            }
        } catch (IOException | ProtocolException e) {
            return Optional.empty();
        }
        return Optional.of(out.toByteArray());
    }
}
