package idle.server.relay;

import idle.server.peer.Peer;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.model.FailureKind;
import idle.shared.model.OutputFileInfo;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Limits;
import idle.shared.protocol.SendWindow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends one output file to a runner (the answer to {@code GOF#n}): {@code TOF#n} with the size and
 * SHA-256 the lender announced, then {@code DAT#n} chunks of at most {@link Limits#CHUNK_BYTES}
 * with at most {@link Limits#FILE_WINDOW_CHUNKS} unacknowledged, then {@code EOF#n}; the runner
 * checks size and SHA-256 and answers {@code SCF#n} or {@code FLD#n{CHECKSUM}}, which is reported
 * to {@code onResult}.
 *
 * <p>The file may still be arriving from its lender (cut-through): the sender follows the
 * {@link FileUpload}, sending bytes as they are written and waiting for more. It sends
 * {@code EOF#n} only once the upload is {@link FileUpload.State#COMPLETE} and every byte went
 * out; if the upload fails it sends {@code FLD#n{NOT_FOUND, reason}} instead, so the runner never
 * takes a truncated file for a complete one (and would refuse it anyway: its SHA-256 would not
 * match). Before queueing a chunk it waits until the connection has room
 * ({@link Peer#awaitRoom}), so several transfers to one runner cannot overflow its outbox.
 * Runs on its own virtual thread.
 */
public final class FileSender implements Peer.Exchange, Runnable {
    private static final Logger LOG = Logger.getLogger(FileSender.class.getName());

    private final Peer runner;
    private final int requestId;
    private final long jobId;
    private final FileUpload upload;
    private final Consumer<Message> onResult;
    private final SendWindow window = new SendWindow(Limits.FILE_WINDOW_CHUNKS);
    private volatile boolean done;
    private volatile Thread thread;

    public FileSender(Peer runner, int requestId, long jobId, FileUpload upload,
            Consumer<Message> onResult) {
        this.runner = runner;
        this.requestId = requestId;
        this.jobId = jobId;
        this.upload = upload;
        this.onResult = onResult;
    }

    public void start() {
        runner.open(requestId, this);
        thread = Thread.ofVirtual().name("idle-gof-" + jobId).start(this);
    }

    @Override
    public void run() {
        OutputFileInfo info = upload.info();
        upload.follow();
        try (FileChannel in = upload.open()) {
            runner.send(requestId, new Message.TakeOutputFile(jobId, info.name(), info.size(),
                    info.sha256()));
            long sent = 0;
            long seq = 0;
            while (!done) {
                long readable = upload.received();
                if (sent < readable) {
                    byte[] payload = fromMemory(sent, seq);
                    int n;
                    if (payload != null) {
                        n = payload.length - Codec.FILE_DATA_OFFSET;
                    } else {
                        n = (int) Math.min(Limits.CHUNK_BYTES, readable - sent);
                        payload = Codec.fileDataPayload(jobId, seq, n);
                        ByteBuffer b = ByteBuffer.wrap(payload, Codec.FILE_DATA_OFFSET, n);
                        while (b.hasRemaining()) {
                            if (in.read(b, sent + b.position() - Codec.FILE_DATA_OFFSET) < 0) {
                                throw new IOException("the file ended before byte " + readable);
                            }
                        }
                    }
                    window.acquire();
                    runner.awaitRoom();
                    if (!runner.send(new Frame(Code.DAT, requestId, payload))) {
                        return;
                    }
                    sent += n;
                    seq++;
                    continue;
                }
                switch (upload.state()) {
                    case COMPLETE -> {
                        runner.send(requestId, new Message.EndOfFile(jobId, info.name(),
                                info.size(), info.sha256()));
                        return;
                    }
                    case FAILED -> {
                        fail("the upload of " + info.name() + " failed: " + upload.failure());
                        return;
                    }
                    case RECEIVING -> upload.awaitMoreThan(sent, 10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            // the connection closed, or the runner answered early
        } catch (IOException e) {
            LOG.log(Level.WARNING, "sending " + info.name() + " of job " + jobId + " failed", e);
            fail("the server could not read " + info.name() + ": " + e.getMessage());
        } finally {
            upload.unfollow();
        }
    }

    /**
     * The chunk at file offset {@code at} as our {@code DAT} payload number {@code seq}, from the
     * upload's memory, or null when it is not kept there. The lender's payload goes out as it is
     * when its job id and sequence number are ours (the usual case: both count chunks from 0);
     * otherwise its data is copied under our header.
     */
    private byte[] fromMemory(long at, long seq) {
        byte[] p = upload.recentChunk(at, Codec.FILE_DATA_OFFSET);
        int n = p == null ? 0 : p.length - Codec.FILE_DATA_OFFSET;
        if (p == null || n > Limits.CHUNK_BYTES) {
            return null; // a lender's bigger chunks are cut to ours from the spool
        }
        if (longAt(p, 0) == jobId && longAt(p, 8) == seq) {
            return p;
        }
        byte[] mine = Codec.fileDataPayload(jobId, seq, n);
        System.arraycopy(p, Codec.FILE_DATA_OFFSET, mine, Codec.FILE_DATA_OFFSET, n);
        return mine;
    }

    private static long longAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    private void fail(String why) {
        Message m = new Message.Failure(FailureKind.NOT_FOUND, why);
        runner.send(requestId, m);
        if (!done) {
            done = true;
            runner.close(requestId);
            window.close();
            onResult.accept(m);
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
        done = true;
        window.close();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
