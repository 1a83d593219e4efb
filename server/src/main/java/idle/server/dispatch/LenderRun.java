package idle.server.dispatch;

import idle.server.net.Peer;
import idle.server.relay.JobFeed;
import idle.server.relay.OutputSpool;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The lender's side of one attempt, exchange {@code s} (the EXF's id): the lender's reply to EXF,
 * its output chunks (spooled, then acknowledged, so it may send the next), its output files
 * (TOF, DAT*, EOF, checked by size and SHA-256) and finally FIN. Frames of an attempt that is no
 * longer current are acknowledged and ignored. Runs on the lender connection's reader thread.
 */
final class LenderRun implements Peer.Exchange {
    private static final Logger LOG = Logger.getLogger(LenderRun.class.getName());

    final Coordinator coordinator;
    final ActiveJob job;
    final LenderHandle lender;
    final int exchangeId;
    final int attempt;

    private OutputSpool spool;
    private final MessageDigest outputDigest = Sha256.digest();
    private long outputBytes;
    private long fileBytes;
    private final List<OutputFileInfo> files = new ArrayList<>();
    private boolean filesCleared;
    // the file being received
    private String fileName;
    private long fileSize;
    private String fileSha;
    private Path filePart;
    private OutputStream fileOut;
    private MessageDigest fileDigest;
    private long fileReceived;

    LenderRun(Coordinator coordinator, ActiveJob job, LenderHandle lender, int exchangeId,
            int attempt) {
        this.coordinator = coordinator;
        this.job = job;
        this.lender = lender;
        this.exchangeId = exchangeId;
        this.attempt = attempt;
    }

    long outputBytes() {
        return outputBytes + fileBytes;
    }

    String outputSha256() {
        try {
            return Sha256.hex((MessageDigest) outputDigest.clone());
        } catch (CloneNotSupportedException e) {
            return "";
        }
    }

    List<OutputFileInfo> files() {
        return files;
    }

    private boolean current() {
        return coordinator.isCurrent(job, lender, attempt);
    }

    private void reply(Message m) {
        lender.peer.send(exchangeId, m);
    }

    @Override
    public void onFrame(Frame frame, Message message) {
        try {
            switch (message) {
                case Message.Success s -> { } // EXF accepted: the process starts
                case Message.Failure f -> {
                    coordinator.refused(job, lender, attempt, f.reason());
                    lender.peer.close(exchangeId);
                }
                case Message.Output o -> output(frame, o);
                case Message.TakeOutputFile t -> takeFile(t);
                case Message.FileData d -> fileData(d);
                case Message.EndOfFile e -> endOfFile(e);
                case Message.Finished fin -> {
                    abortFile();
                    closeSpool();
                    if (fin.jobId() != job.id || fin.attempt() != attempt) {
                        reply(new Message.Success(new Result.Empty()));
                    } else {
                        coordinator.finished(this, fin, exchangeId);
                    }
                    lender.peer.close(exchangeId);
                }
                case Message.Ack a -> { }
                default -> reply(new Message.Illegal(message.code()
                        + " is not part of a job's run"));
            }
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "spooling output of job " + job.id + " failed", e);
            coordinator.stopForLimit(job, lender, attempt, Limit.OUTPUT,
                    "the server could not store the output: " + e.getMessage());
        }
    }

    private void output(Frame frame, Message.Output o) throws IOException {
        if (o.jobId() != job.id || !current()) {
            reply(new Message.Ack(o.seq()));
            return;
        }
        int have = spool == null ? 0 : spool.count();
        if (o.seq() < have) {
            reply(new Message.Ack(o.seq())); // a duplicate
            return;
        }
        if (o.seq() > have) {
            reply(new Message.Illegal("output chunk " + o.seq() + " arrived before chunk " + have));
            return;
        }
        if (outputBytes() + o.data().length > coordinator.maxOutputBytes()) {
            coordinator.stopForLimit(job, lender, attempt, Limit.OUTPUT, "output exceeded the "
                    + "server's limit of " + Coordinator.size(coordinator.maxOutputBytes())
                    + " per job");
            reply(new Message.Ack(o.seq()));
            return;
        }
        JobFeed feed = job.feed;
        if (spool == null) {
            spool = OutputSpool.create(coordinator.spoolDir(job.id).resolve("output"));
            feed.newAttempt(spool);
        }
        spool.append(frame.payload(), o.data().length);
        outputDigest.update(o.data());
        outputBytes += o.data().length;
        reply(new Message.Ack(o.seq()));
        feed.outputAppended();
    }

    private void takeFile(Message.TakeOutputFile t) throws IOException {
        abortFile();
        if (t.jobId() != job.id || !current()) {
            reply(new Message.Failure(FailureKind.WRONG_STATE, "attempt " + attempt + " of job "
                    + t.jobId() + " is no longer current"));
            return;
        }
        String why = Names.checkRelativePath(t.name());
        if (why != null) {
            reply(new Message.Failure(FailureKind.INVALID, why));
            return;
        }
        long limit = coordinator.maxOutputBytes();
        if (outputBytes() + t.size() > limit) {
            reply(new Message.Failure(FailureKind.LIMIT, "file " + t.name() + " is "
                    + Coordinator.size(t.size()) + "; the output limit per job is "
                    + Coordinator.size(limit) + " and " + Coordinator.size(outputBytes())
                    + " are used"));
            return;
        }
        Path dir = coordinator.spoolDir(job.id).resolve("files");
        if (!filesCleared) {
            filesCleared = true;
            deleteTree(dir); // files of an earlier attempt
        }
        Path target = dir.resolve(t.name()).normalize();
        if (!target.startsWith(dir)) {
            reply(new Message.Failure(FailureKind.INVALID, "file name leaves the job directory"));
            return;
        }
        Files.createDirectories(target.getParent());
        fileName = t.name();
        fileSize = t.size();
        fileSha = t.sha256();
        filePart = target.resolveSibling(target.getFileName() + ".part");
        fileOut = Files.newOutputStream(filePart);
        fileDigest = Sha256.digest();
        fileReceived = 0;
        reply(new Message.Success(new Result.Empty()));
    }

    private void fileData(Message.FileData d) throws IOException {
        if (fileOut == null) {
            reply(new Message.Ack(d.seq())); // a skipped or refused file
            return;
        }
        if (fileReceived + d.data().length > fileSize) {
            String name = fileName;
            abortFile();
            reply(new Message.Failure(FailureKind.LIMIT, "file " + name
                    + " is longer than announced"));
            return;
        }
        fileOut.write(d.data());
        fileDigest.update(d.data());
        fileReceived += d.data().length;
        reply(new Message.Ack(d.seq()));
    }

    private void endOfFile(Message.EndOfFile e) throws IOException {
        if (fileOut == null) {
            reply(new Message.Failure(FailureKind.WRONG_STATE, "no file transfer is open"));
            return;
        }
        fileOut.close();
        fileOut = null;
        String got = Sha256.hex(fileDigest);
        if (fileReceived != fileSize || e.size() != fileSize || !got.equals(fileSha)
                || !e.sha256().equals(fileSha)) {
            Files.deleteIfExists(filePart);
            reply(new Message.Failure(FailureKind.CHECKSUM, "file " + fileName + ": received "
                    + fileReceived + " bytes with SHA-256 " + got + ", announced " + fileSize
                    + " bytes with " + fileSha));
            fileName = null;
            return;
        }
        Path target = filePart.resolveSibling(filePart.getFileName().toString()
                .replaceFirst("\\.part$", ""));
        Files.move(filePart, target, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        files.add(new OutputFileInfo(fileName, fileSize, fileSha));
        fileBytes += fileSize;
        fileName = null;
        reply(new Message.Success(new Result.Empty()));
    }

    private void abortFile() {
        if (fileOut != null) {
            try {
                fileOut.close();
                Files.deleteIfExists(filePart);
            } catch (IOException e) {
                LOG.log(Level.FINE, "dropping a partial file", e);
            }
            fileOut = null;
        }
    }

    private void closeSpool() {
        // the spool stays open for followers until the job's end is committed
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void onClose() {
        abortFile();
    }
}
