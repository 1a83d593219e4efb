package idle.client.lender;

import idle.shared.model.StreamKind;
import java.io.IOException;

/**
 * Where a running script's output goes, chunk by chunk. Called on the script's pipe-reading
 * threads (one per stream); may block, and while it blocks the script's pipe fills and the script
 * itself blocks on its next write: that is the flow control that keeps a script printing a
 * gigabyte from filling the lender's memory.
 */
@FunctionalInterface
public interface OutputSink {
    void output(StreamKind stream, byte[] data) throws IOException, InterruptedException;
}
