package idle.server.relay;

import idle.server.net.Peer;
import idle.shared.message.Message;
import idle.shared.model.OutputFileInfo;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Limits;
import idle.shared.protocol.SendWindow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends one output file to a runner (the answer to {@code GOF#n}): {@code TOF#n}, then
 * {@code DAT#n} chunks of {@link Limits#CHUNK_BYTES} with at most
 * {@link Limits#WINDOW_CHUNKS} unacknowledged, then {@code EOF#n}; the runner checks size and
 * SHA-256 and answers {@code SCF#n} or {@code FLD#n{CHECKSUM}}, which is reported to
 * {@code onResult}. Runs on its own virtual thread.
 */
public final class FileSender implements Peer.Exchange, Runnable {
    private static final Logger LOG = Logger.getLogger(FileSender.class.getName());

    private final Peer runner;
    private final int requestId;
    private final long jobId;
    private final OutputFileInfo info;
    private final Path file;
    private final Consumer<Message> onResult;
    private final SendWindow window = new SendWindow();
    private volatile boolean done;

    public FileSender(Peer runner, int requestId, long jobId, OutputFileInfo info, Path file,
            Consumer<Message> onResult) {
        this.runner = runner;
        this.requestId = requestId;
        this.jobId = jobId;
        this.info = info;
        this.file = file;
        this.onResult = onResult;
    }

    public void start() {
        runner.open(requestId, this);
        Thread.ofVirtual().name("idle-gof-" + jobId).start(this);
    }

    @Override
    public void run() {
        try (InputStream in = Files.newInputStream(file)) {
            runner.send(requestId, new Message.TakeOutputFile(jobId, info.name(), info.size(),
                    info.sha256()));
            byte[] buf = new byte[Limits.CHUNK_BYTES];
            long seq = 0;
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    break;
                }
                byte[] data = n == buf.length ? buf.clone() : java.util.Arrays.copyOf(buf, n);
                window.acquire();
                if (!runner.send(requestId, new Message.FileData(jobId, seq++, data))) {
                    return;
                }
            }
            runner.send(requestId, new Message.EndOfFile(jobId, info.name(), info.size(),
                    info.sha256()));
        } catch (InterruptedException e) {
            // connection closed
        } catch (IOException e) {
            LOG.log(Level.WARNING, "sending " + file + " failed", e);
            runner.close(requestId);
        }
    }

    @Override
    public void onFrame(Frame frame, Message message) {
        switch (message) {
            case Message.Ack a -> window.release();
            case Message.Success s -> finish(message);
            case Message.Failure f -> finish(message);
            default -> runner.send(requestId, new Message.Illegal(message.code()
                    + " is not part of a file transfer"));
        }
    }

    private void finish(Message m) {
        if (!done) {
            done = true;
            runner.close(requestId);
            window.close();
            onResult.accept(m);
        }
    }

    @Override
    public void onClose() {
        window.close();
    }
}
