package idle.server.dispatch;

import idle.server.peer.Peer;
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
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The lender's side of one attempt, exchange {@code s} (the EXF's id): the lender's reply to EXF,
 * its output chunks (spooled, then acknowledged, so it may send the next), its output files
 * (TOF, DAT*, EOF, checked by size and SHA-256) and finally FIN, where it hands an
 * {@link AttemptResult} to its {@link AttemptListener}. It knows nothing else of the job's state:
 * frames of an attempt that is no longer current are acknowledged and ignored. Runs on the
 * lender connection's reader thread.
 */
final class LenderRun implements Peer.Exchange {
    private static final Logger LOG = Logger.getLogger(LenderRun.class.getName());

    private final long jobId;
    private final int attempt;
    private final int exchangeId;
    private final Peer lender;
    private final JobFeed feed;
    private final Path spoolDir;
    private final long maxOutputBytes;
    private final AttemptListener listener;
    private final UploadReceiver uploads;
    private final MessageDigest outputDigest = Sha256.digest();
    private final List<OutputFileInfo> files = new ArrayList<>();
    private OutputSpool spool;
    private long outputBytes;
    private long fileBytes;

    /**
     * @param spoolDir the job's spool directory: output goes to {@code output}, files to
     *     {@code files}
     * @param maxOutputBytes the server's limit on stdout + stderr + files of one job
     */
    LenderRun(long jobId, int attempt, int exchangeId, Peer lender, JobFeed feed, Path spoolDir,
            long maxOutputBytes, AttemptListener listener) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.exchangeId = exchangeId;
        this.lender = lender;
        this.feed = feed;
        this.spoolDir = spoolDir;
        this.maxOutputBytes = maxOutputBytes;
        this.listener = listener;
        this.uploads = new UploadReceiver(spoolDir.resolve("files"), feed);
    }

    private long received() {
        return outputBytes + fileBytes;
    }

    private String outputSha256() {
        try {
            return Sha256.hex((MessageDigest) outputDigest.clone());
        } catch (CloneNotSupportedException e) {
            return "";
        }
    }

    private void reply(Message m) {
        lender.send(exchangeId, m);
    }

    @Override
    public void onFrame(Frame frame, Message message) {
        try {
            switch (message) {
                case Message.Success s -> { } // EXF accepted: the process starts
                case Message.Failure f -> {
                    listener.requeue(Reasons.refusedByLender(f.reason()));
                    lender.close(exchangeId);
                }
                case Message.Output o -> output(frame, o);
                case Message.TakeOutputFile t -> takeFile(t);
                case Message.FileData d -> reply(uploads.data(d));
                case Message.EndOfFile e -> endOfFile(e);
                case Message.Finished fin -> finished(fin);
                case Message.Ack a -> { }
                default -> reply(new Message.Illegal(message.code()
                        + " is not part of a job's run"));
            }
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "spooling output of job " + jobId + " failed", e);
            uploads.abort("the server could not store it: " + e.getMessage());
            listener.overLimit(Limit.OUTPUT, Reasons.outputNotStored(e.getMessage()));
        }
    }

    private void finished(Message.Finished fin) {
        uploads.abort("the job finished before the file was complete");
        // the spool stays open for followers until the job's end is committed
        if (fin.jobId() != jobId || fin.attempt() != attempt) {
            reply(new Message.Success(new Result.Empty()));
        } else {
            listener.finished(new AttemptResult(fin.outcome(), fin.use(), received(),
                    outputSha256(), files));
        }
        lender.close(exchangeId);
    }

    private void output(Frame frame, Message.Output o) throws IOException {
        if (o.jobId() != jobId || !listener.isCurrent()) {
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
        if (received() + o.data().length > maxOutputBytes) {
            listener.overLimit(Limit.OUTPUT, Reasons.outputOverLimit(maxOutputBytes));
            reply(new Message.Ack(o.seq()));
            return;
        }
        if (spool == null) {
            spool = OutputSpool.create(spoolDir.resolve("output"));
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
        if (t.jobId() != jobId || !listener.isCurrent()) {
            reply(new Message.Failure(FailureKind.WRONG_STATE, "attempt " + attempt + " of job "
                    + t.jobId() + " is no longer current"));
            return;
        }
        String why = FileNames.checkRelativePath(t.name());
        if (why != null) {
            reply(new Message.Failure(FailureKind.INVALID, why));
            return;
        }
        if (received() + t.size() > maxOutputBytes) {
            reply(new Message.Failure(FailureKind.LIMIT, "file " + t.name() + " is "
                    + Sizes.of(t.size()) + "; the output limit per job is "
                    + Sizes.of(maxOutputBytes) + " and " + Sizes.of(received())
                    + " are used"));
            return;
        }
        reply(uploads.start(t));
    }

    private void endOfFile(Message.EndOfFile e) throws IOException {
        Message answer = uploads.end(e);
        if (answer instanceof Message.Success) {
            files.add(new OutputFileInfo(e.name(), e.size(), e.sha256()));
            fileBytes += e.size();
        }
        reply(answer);
    }

    @Override
    public void onClose() {
        uploads.abort("the lender disconnected");
    }
}
