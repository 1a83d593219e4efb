package idle.server.dispatch;

import idle.server.peer.Peer;
import idle.server.relay.Durability;
import idle.server.relay.JobFeed;
import idle.server.relay.OutputSpool;
import idle.server.relay.UploadReceiver;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.Limit;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.StreamKind;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The lender's side of one attempt, exchange {@code s} (the EXF's id): the lender's reply to EXF,
 * its output chunks (spooled, then acknowledged, so it may send the next), its output files
 * (TOF, DAT*, EOF, checked by size and SHA-256) and finally FIN, where it hands an
 * {@link AttemptResult} to its {@link AttemptListener}. It knows nothing else of the job's state:
 * frames of an attempt that is no longer current are acknowledged and ignored. Runs on the
 * lender connection's reader thread.
 *
 * <p>Durability: each output file is on disk (forced) before its EOF is acknowledged, and the
 * output spool before FIN is handed to the listener, so nothing of a job whose end was written
 * can be lost by a crash ({@link Durability}). The spool is also forced in the background after
 * its first chunk, and again while chunks arrived during that force (a few times at most, and
 * no more than {@link EarlyForces} allows across the server at once): a short job's FIN then finds its output on disk already, so that sync leaves the critical path
 * between the script's end and its end's commit. The force at FIN is what the guarantee rests
 * on; it costs no system call when a background force already covered every chunk
 * ({@link OutputSpool#force}).
 *
 * <p>The output limit counts what the attempt costs the server, not only its bytes: each OUT
 * chunk is charged its data plus {@link #CHUNK_OVERHEAD} (its spool record and index entry), so
 * a lender sending empty chunks reaches the limit like one sending data.
 */
final class LenderRun implements Peer.Exchange {
    private static final Logger LOG = Logger.getLogger(LenderRun.class.getName());
    /** Bytes each OUT chunk is charged beyond its data: more than its spool record's framing. */
    static final int CHUNK_OVERHEAD = 64;
    /**
     * Background forces of one attempt's spool at most: enough for the few chunks of a short job
     * (python prints a line and its newline as two), few enough that a job printing all along
     * does not keep the disk busy; its later chunks are forced at FIN.
     */
    static final int BACKGROUND_FORCES = 4;

    private final long jobId;
    private final int attempt;
    private final int exchangeId;
    private final Peer lender;
    private final JobFeed feed;
    private final Path spoolDir;
    private final long maxOutputBytes;
    private final AttemptListener listener;
    private final Durability durability;
    private final EarlyForces earlyForces;
    private final UploadReceiver uploads;
    private final MessageDigest outputDigest = Sha256.digest();
    /** Each stream alone, for the votes of verified jobs (the server's hashes, not the lender's). */
    private final MessageDigest stdoutDigest = Sha256.digest();
    private final MessageDigest stderrDigest = Sha256.digest();
    private final List<OutputFileInfo> files = new ArrayList<>();
    private OutputSpool spool;
    private long outputBytes;
    private long fileBytes;
    private long chunks;
    /** A background force of the spool runs (see {@link #forceInBackground}). */
    private final AtomicBoolean forcing = new AtomicBoolean();
    /** Background forces started so far: at most {@link #BACKGROUND_FORCES}. */
    private final AtomicInteger backgroundForces = new AtomicInteger();
    /** Set once this attempt hit the server's output limit: later chunks are dropped. */
    private boolean overLimit;

    /**
     * @param spoolDir the job's spool directory: output goes to {@code output}, files to
     *     {@code files}
     * @param maxOutputBytes the server's limit on stdout + stderr + files of one job
     * @param durability forces each output file before its EOF is answered, and the output
     *     before FIN is handed on (so before the job's end is written)
     * @param earlyForces the server's bound on background forces, shared by every attempt
     */
    LenderRun(long jobId, int attempt, int exchangeId, Peer lender, JobFeed feed, Path spoolDir,
            long maxOutputBytes, AttemptListener listener, Durability durability,
            EarlyForces earlyForces) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.exchangeId = exchangeId;
        this.lender = lender;
        this.feed = feed;
        this.spoolDir = spoolDir;
        this.maxOutputBytes = maxOutputBytes;
        this.listener = listener;
        this.durability = durability;
        this.earlyForces = earlyForces;
        this.uploads = new UploadReceiver(spoolDir.resolve("files"), feed, durability);
    }

    /** Output bytes received: what the job produced. */
    private long received() {
        return outputBytes + fileBytes;
    }

    /** What the attempt is charged against the output limit: its bytes and its chunks. */
    private long charged() {
        return received() + chunks * CHUNK_OVERHEAD;
    }

    private String outputSha256() {
        return hexOf(outputDigest);
    }

    private static String hexOf(MessageDigest d) {
        try {
            return Sha256.hex((MessageDigest) d.clone());
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
                case Message.Success s -> listener.started();
                case Message.Failure f -> {
                    listener.refused(LenderText.clean(f.reason()));
                    lender.close(exchangeId);
                }
                case Message.Output o -> output(frame, o);
                case Message.TakeOutputFile t -> takeFile(t);
                case Message.FileData d -> reply(uploads.data(d, frame.payload()));
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
            if (spool != null && listener.isCurrent()) {
                try {
                    spool.force(durability); // before the end is written: see the class comment
                } catch (IOException e) {
                    LOG.log(Level.SEVERE, "cannot sync the output of job " + jobId, e);
                    listener.overLimit(Limit.OUTPUT, Reasons.outputNotStored(e.getMessage()));
                }
            }
            listener.finished(new AttemptResult(LenderText.clean(fin.outcome()), fin.use(),
                    received(), outputSha256(), hexOf(stdoutDigest), hexOf(stderrDigest),
                    files));
        }
        lender.close(exchangeId);
    }

    private void output(Frame frame, Message.Output o) throws IOException {
        if (o.jobId() != jobId || !listener.isCurrent()) {
            reply(new Message.Ack(o.seq()));
            return;
        }
        if (overLimit) {
            reply(new Message.Ack(o.seq())); // chunks in flight when the CAN went out
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
        if (charged() + o.data().length + CHUNK_OVERHEAD > maxOutputBytes) {
            overLimit = true;
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
        (o.stream() == StreamKind.STDOUT ? stdoutDigest : stderrDigest).update(o.data());
        outputBytes += o.data().length;
        chunks++;
        reply(new Message.Ack(o.seq()));
        feed.outputAppended();
        if (backgroundForces.get() < BACKGROUND_FORCES && forcing.compareAndSet(false, true)) {
            if (earlyForces.tryStart()) {
                forceInBackground(spool);
            } else {
                forcing.set(false); // the server's early forces are all busy: FIN forces it
            }
        }
    }

    /**
     * Forces {@code s} on a thread of its own, again while chunks arrived during the last force
     * (up to {@link #BACKGROUND_FORCES} in all), so that a short job's FIN finds its whole output
     * on disk and its own force has nothing left to do. A failure is left to the force at FIN.
     * Runs while {@link #forcing} is set and an {@link EarlyForces} slot is taken by the caller;
     * clears the one and gives back the other when done.
     */
    private void forceInBackground(OutputSpool s) {
        Thread.ofVirtual().name("idle-spool-force-" + jobId).start(() -> {
            try {
                do {
                    while (s.isDirty() && backgroundForces.getAndIncrement() < BACKGROUND_FORCES) {
                        s.force(durability);
                    }
                    forcing.set(false);
                    // a chunk appended after the last look, whose appender saw this force still
                    // running, is taken here
                } while (s.isDirty() && backgroundForces.get() < BACKGROUND_FORCES
                        && forcing.compareAndSet(false, true));
            } catch (IOException e) {
                forcing.set(false);
                LOG.log(Level.FINE, "early sync of the output of job " + jobId, e);
            } finally {
                earlyForces.done();
            }
        });
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
        if (charged() + t.size() > maxOutputBytes) {
            reply(new Message.Failure(FailureKind.LIMIT, "file " + t.name() + " is "
                    + Sizes.of(t.size()) + "; the output limit per job is "
                    + Sizes.of(maxOutputBytes) + " and " + Sizes.of(charged())
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
