package idle.client.runner;

import idle.client.net.Exchange;
import idle.client.net.ExchangeHandler;
import idle.client.net.RequestException;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.OutputFileInfo;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * Receives one output file of a job into {@code target} over a {@code GOF} exchange: {@code TOF}
 * (what is coming), {@code DAT} chunks (each acknowledged), {@code EOF}; answers {@code SCF} when
 * the size and SHA-256 match what was announced, {@code FLD{CHECKSUM}} otherwise. The data goes to
 * a temporary sibling that becomes {@code target} only when complete and correct, and is removed
 * on any failure. Called on the connection's reader thread, one message at a time.
 */
final class FileReceiver implements ExchangeHandler {
    private static final Logger LOG = Logger.getLogger(FileReceiver.class.getName());

    private final Path target;
    private final CompletableFuture<OutputFileInfo> done;
    private Path part;
    private OutputStream out;
    private MessageDigest digest;
    private Message.TakeOutputFile announced;
    private long received;

    FileReceiver(Path target, CompletableFuture<OutputFileInfo> done) {
        this.target = target;
        this.done = done;
    }

    @Override
    public void onMessage(Exchange ex, Message m) {
        try {
            switch (m) {
                case Message.TakeOutputFile t -> {
                    announced = t;
                    Files.createDirectories(target.toAbsolutePath().getParent());
                    part = Files.createTempFile(target.toAbsolutePath().getParent(),
                            "." + target.getFileName(), ".part");
                    out = Files.newOutputStream(part);
                    digest = Sha256.digest();
                }
                case Message.FileData d -> {
                    if (out == null) {
                        throw new IOException("file data before TOF");
                    }
                    out.write(d.data());
                    digest.update(d.data());
                    received += d.data().length;
                    ex.send(new Message.Ack(d.seq()));
                }
                case Message.EndOfFile e -> finish(ex, e);
                case Message.Failure f -> fail(ex, new RequestException(
                        RequestException.Type.FAILED, f.kind(), f.reason()));
                case Message.Illegal i -> fail(ex, new RequestException(
                        RequestException.Type.ILLEGAL, null, i.reason()));
                default -> LOG.fine(() -> "file transfer: ignoring " + m.code());
            }
        } catch (IOException e) {
            fail(ex, e);
        }
    }

    private void finish(Exchange ex, Message.EndOfFile e) throws IOException {
        if (out == null) {
            throw new IOException("EOF before TOF");
        }
        out.close();
        out = null;
        String sha = Sha256.hex(digest);
        boolean ok = sha.equals(e.sha256()) && received == e.size()
                && sha.equals(announced.sha256()) && received == announced.size();
        if (!ok) {
            ex.send(new Message.Failure(FailureKind.CHECKSUM, "received " + received
                    + " bytes with SHA-256 " + sha + ", expected " + e.size() + " bytes with "
                    + e.sha256()));
            fail(ex, new RequestException(RequestException.Type.FAILED, FailureKind.CHECKSUM,
                    "the file " + e.name() + " arrived damaged (SHA-256 mismatch)"));
            return;
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        part = null;
        ex.send(new Message.Success(new Result.Empty()));
        ex.close();
        done.complete(new OutputFileInfo(e.name(), received, sha));
    }

    private void fail(Exchange ex, Exception e) {
        ex.close();
        cleanup();
        done.completeExceptionally(e);
    }

    private void cleanup() {
        try {
            if (out != null) {
                out.close();
            }
            if (part != null) {
                Files.deleteIfExists(part);
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void onConnectionLost(Exchange ex, IOException cause) {
        cleanup();
        done.completeExceptionally(cause);
    }
}
