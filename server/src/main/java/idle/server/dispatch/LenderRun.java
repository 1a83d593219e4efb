package idle.server.dispatch;

import idle.server.net.Peer;
import idle.server.relay.JobFeed;
import idle.server.relay.OutputSpool;
import idle.server.relay.UploadReceiver;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

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
    private final UploadReceiver uploads;
    LenderRun(Coordinator coordinator, ActiveJob job, LenderHandle lender, int exchangeId,
            int attempt) {
        this.coordinator = coordinator;
        this.job = job;
        this.lender = lender;
        this.exchangeId = exchangeId;
        this.attempt = attempt;
        this.uploads = new UploadReceiver(coordinator.spoolDir(job.id).resolve("files"), job.feed);
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
                    abortFile("the job finished before the file was complete");
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
            abortFile("the server could not store it: " + e.getMessage());
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
        uploads.abort("the lender started another file");
        if (t.jobId() != job.id || !current()) {
            reply(new Message.Failure(FailureKind.WRONG_STATE, "attempt " + attempt + " of job "
                    + t.jobId() + " is no longer current"));
            return;
        }
        String why = FileNames.checkRelativePath(t.name());
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
        reply(uploads.start(t));
    }

    private void fileData(Message.FileData d) throws IOException {
        reply(uploads.data(d));
    }

    private void endOfFile(Message.EndOfFile e) throws IOException {
        Message answer = uploads.end(e);
        if (answer instanceof Message.Success) {
            files.add(new OutputFileInfo(e.name(), e.size(), e.sha256()));
            fileBytes += e.size();
        }
        reply(answer);
    }

    private void abortFile(String why) {
        uploads.abort(why);
    }

    private void closeSpool() {
        // the spool stays open for followers until the job's end is committed
    }

    @Override
    public void onClose() {
        abortFile("the lender disconnected");
    }
}
